// The detector's bounded map (second-chance eviction, FIFO queue compacted in place) and its in-place front drop.
import t from 'tap'
import { dropFront, Lru } from '../src/detect/lru.js'

t.test('dropFront removes the first n items in place', async (t) => {
  const arr = [1, 2, 3, 4, 5]
  const same = arr
  dropFront(arr, 2)
  t.same(arr, [3, 4, 5])
  t.equal(arr, same, 'same array')
  dropFront(arr, 0)
  t.same(arr, [3, 4, 5])
  dropFront(arr, 3)
  t.same(arr, [])
})

t.test('evicts the oldest untouched key; a touched key gets a second chance', async (t) => {
  const evicted: string[] = []
  const lru = new Lru<string, number>(3, (k) => { evicted.push(k) })
  lru.add('a', 1)
  lru.add('b', 2)
  lru.add('c', 3)
  t.equal(lru.touch('a'), 1)
  lru.add('d', 4)
  t.same(evicted, ['b'], 'a was touched, b goes first')
  lru.add('e', 5)
  t.same(evicted, ['b', 'c'])
  lru.add('f', 6)
  t.same(evicted, ['b', 'c', 'd'], 'a went to the back of the queue, behind d')
  lru.add('g', 7)
  t.same(evicted, ['b', 'c', 'd', 'a'], 'its second chance is used up')
  t.same([...lru.keys()].sort(), ['e', 'f', 'g'])
  t.equal(lru.evictions, 4)
})

t.test('stays exact across many queue compactions (a long flood of distinct keys)', async (t) => {
  const max = 100
  const lru = new Lru<number, number>(max)
  for (let i = 0; i < 20_000; i++) {
    lru.add(i, i)
    // Keep every tenth key hot: it must survive while it is touched.
    if (i % 10 === 0) for (let k = Math.max(0, i - 50); k <= i; k += 10) lru.touch(k)
  }
  t.equal(lru.size, max)
  t.equal(lru.evictions, 20_000 - max)
  t.equal(lru.peek(19_999), 19_999, 'the newest key is kept')
  t.equal(lru.peek(19_960), 19_960, 'a hot key is kept')
  t.equal(lru.peek(0), undefined, 'an old key is gone')
})
