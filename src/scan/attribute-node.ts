// Which node a file's lines came from. An OVN line never names its own chassis, so for plain
// files the path is the only clue; wrappers that carry metadata (Fluent Bit / Vector records,
// syslog hosts) override this default line by line inside the parser.
import { basename, dirname, sep } from 'node:path'
import { StormError } from '../errors.js'

/** How a file's default node was chosen; the summary prints it so a wrong guess is visible. */
export type NodeAttributionSource =
  | 'option' // --node NAME
  | 'pattern' // --node-pattern REGEX
  | 'parent-dir' // …/gw1/ovn-controller.log
  | 'pod' // /var/log/pods/<ns>_<pod>_<uid>/<container>/0.log, /var/log/containers/<pod>_<ns>_<ctr>-<id>.log
  | 'file-name' // …/gw1.log

export interface NodeAttribution {
  node: string
  from: NodeAttributionSource
}

export interface AttributeOptions {
  /** One node name for every file (`--node`). */
  node?: string
  /** Applied to the whole path; the named group `node`, else the first capture group, is the node (`--node-pattern`). */
  nodePattern?: RegExp
}

/** File stems that name a daemon, not a node: their node is the parent directory. */
const DAEMON_STEMS = new Set([
  'ovn-controller', 'ovs-vswitchd', 'ovsdb-server', 'ovn-northd', 'ovn-controller-vtep', 'ovn-ic',
  'ovn-nbctl', 'ovn-sbctl', 'ovs-vsctl', 'ovs-ofctl', 'ovsdb-server-nb', 'ovsdb-server-sb', 'ovsdb-server-ic-nb',
  'ovsdb-server-ic-sb', 'ovs-monitor-ipsec', 'ovn-controller.stderr', 'ovs-vswitchd.stderr', 'messages', 'syslog',
  'daemon', 'current'
])

/** Directory names that say nothing about the host. */
const GENERIC_DIRS = new Set(['var', 'log', 'logs', 'openvswitch', 'ovn', 'ovs', 'ovn-kubernetes', 'kolla', 'neutron', 'tmp'])

/** `ovn-controller.log.2.gz` → `ovn-controller`; `0.log.20240905-163854` → `0`. */
export function fileStem (path: string): string {
  return basename(path)
    .replace(/\.gz$/, '')
    .replace(/\.(?:\d+|\d{8}-\d{6})$/, '')
    .replace(/\.log$/, '')
}

/** Compiles `--node-pattern`, insisting on a capture group. */
export function compileNodePattern (source: string): RegExp {
  let re: RegExp
  try {
    re = new RegExp(source)
  } catch (err) {
    throw new StormError('E_USAGE', `--node-pattern ${JSON.stringify(source)} is not a valid regular expression: ${err instanceof Error ? err.message : String(err)}`)
  }
  // a pattern with a group matches the empty string with one more slot than groups
  const groups = new RegExp(`${source}|`).exec('')?.length ?? 1
  if (groups < 2) {
    throw new StormError('E_USAGE', `--node-pattern ${JSON.stringify(source)} needs a capture group for the node name, e.g. '/logs/([^/]+)/'`)
  }
  return re
}

function fromPattern (path: string, re: RegExp): string | null {
  const m = re.exec(path)
  if (m === null) return null
  const named = m.groups?.['node']
  if (named !== undefined && named !== '') return named
  for (let i = 1; i < m.length; i++) {
    const g = m[i]
    if (g !== undefined && g !== '') return g
  }
  return null
}

/** The node of one file, by option, pattern, or path convention (in that order). */
export function attributeNode (path: string, options: AttributeOptions = {}): NodeAttribution {
  if (options.node !== undefined) return { node: options.node, from: 'option' }
  if (options.nodePattern !== undefined) {
    const node = fromPattern(path, options.nodePattern)
    if (node !== null) return { node, from: 'pattern' }
  }
  const parts = path.split(sep).filter((p) => p !== '')
  // /var/log/pods/<namespace>_<pod>_<uid>/<container>/<n>.log: the pod name is per node for a DaemonSet
  const pods = parts.lastIndexOf('pods')
  if (pods >= 0 && parts.length - pods === 4) {
    const pod = (parts[pods + 1] ?? '').split('_')[1]
    if (pod !== undefined && pod !== '') return { node: pod, from: 'pod' }
  }
  const stem = fileStem(path)
  if (parts.at(-2) === 'containers' && /^[^_]+_[^_]+_.+-[0-9a-f]{12,}$/.test(stem)) {
    return { node: stem.split('_')[0] ?? stem, from: 'pod' }
  }
  if (DAEMON_STEMS.has(stem) || /^\d+$/.test(stem)) {
    // collected as <node>/var/log/ovn/ovn-controller.log: skip the directories every host has
    const dirs = dirname(path).split(sep).filter((p) => p !== '' && p !== '.' && p !== '..')
    for (let i = dirs.length - 1; i >= 0; i--) {
      const dir = dirs[i] ?? ''
      if (!GENERIC_DIRS.has(dir)) return { node: dir, from: 'parent-dir' }
    }
  }
  return { node: stem, from: 'file-name' }
}
