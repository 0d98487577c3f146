import t from 'tap'
import { attributeNode, compileNodePattern, fileStem } from '../src/scan/attribute-node.js'
import { StormError } from '../src/errors.js'

t.test('file stems drop .log, rotation numbers and .gz', async (t) => {
  t.equal(fileStem('/a/ovn-controller.log'), 'ovn-controller')
  t.equal(fileStem('/a/ovn-controller.log.3.gz'), 'ovn-controller')
  t.equal(fileStem('/a/gw1.log.gz'), 'gw1')
  t.equal(fileStem('/a/0.log.20240905-163854.gz'), '0')
})

t.test('default: the parent directory of a daemon log, else the file name', async (t) => {
  t.same(attributeNode('/logs/gw3/ovn-controller.log'), { node: 'gw3', from: 'parent-dir' })
  t.same(attributeNode('/logs/gw3/ovs-vswitchd.log.1'), { node: 'gw3', from: 'parent-dir' })
  t.same(attributeNode('/logs/gw3/ovs-vswitchd.log.2.gz'), { node: 'gw3', from: 'parent-dir' })
  t.same(attributeNode('collected/gw2/var/log/ovn/ovn-controller.log'), { node: 'gw2', from: 'parent-dir' }, 'generic directories are skipped')
  t.same(attributeNode('/logs/compute-7.log.gz'), { node: 'compute-7', from: 'file-name' })
  t.same(attributeNode('ovn-controller.log'), { node: 'ovn-controller', from: 'file-name' }, 'no parent to go by')
})

t.test('Kubernetes paths: the pod name', async (t) => {
  t.same(attributeNode('/var/log/pods/openshift-ovn-kubernetes_ovnkube-node-x7k2p_0c9a1/ovn-controller/0.log'), { node: 'ovnkube-node-x7k2p', from: 'pod' })
  t.same(attributeNode('/var/log/containers/ovnkube-node-x7k2p_openshift-ovn-kubernetes_ovn-controller-0123456789abcdef0123.log'), { node: 'ovnkube-node-x7k2p', from: 'pod' })
})

t.test('--node wins; --node-pattern takes the named group, else the first group', async (t) => {
  t.same(attributeNode('/logs/gw3/ovn-controller.log', { node: 'edge-1' }), { node: 'edge-1', from: 'option' })
  t.same(attributeNode('/srv/dump/host-gw7-2024/ovn.log', { nodePattern: compileNodePattern('host-([a-z0-9]+)-') }), { node: 'gw7', from: 'pattern' })
  t.same(attributeNode('/srv/dump/host-gw7-2024/ovn.log', { nodePattern: compileNodePattern('dump/(?<x>h)ost-(?<node>[a-z0-9]+)') }), { node: 'gw7', from: 'pattern' })
  t.same(attributeNode('/logs/gw3/ovn-controller.log', { nodePattern: compileNodePattern('host-(\\w+)') }), { node: 'gw3', from: 'parent-dir' }, 'no match: the default')
})

t.test('--node-pattern needs a valid regex with a capture group', async (t) => {
  t.throws(() => compileNodePattern('gw\\d'), new StormError('E_USAGE', '--node-pattern "gw\\\\d" needs a capture group for the node name, e.g. \'/logs/([^/]+)/\''))
  t.throws(() => compileNodePattern('(gw'), { name: 'StormError', code: 'E_USAGE', message: /not a valid regular expression/ })
  t.type(compileNodePattern('(?:x)?(gw\\d)'), RegExp)
})
