// PATH… → the list of files to scan. Directories are walked recursively for log files (rotated and
// gzipped ones included, CRI `/var/log/pods/…/N.log`, `/var/log/containers/*.log` symlinks); a
// problem with one path is reported as data and the walk goes on with the rest.
import { lstat, readdir, realpath, stat } from 'node:fs/promises'
import type { Dirent, Stats } from 'node:fs'
import { join } from 'node:path'

/** Why a path given (or found) could not be scanned. */
export type InputIssueCode = 'missing' | 'unreadable' | 'not-a-log' | 'corrupt-gzip' | 'not-a-file' | 'read-error' | 'no-logs'

export interface InputIssue {
  code: InputIssueCode
  path: string
  /** One sentence a person can act on. */
  message: string
  /** True when the path was named on the command line (not found while walking a directory). */
  explicit: boolean
}

export interface WalkedFile {
  path: string
  /** Size on disk in bytes (compressed size for `.gz`). */
  bytes: number
  /** True when the path was named on the command line. */
  explicit: boolean
}

/** The file-system calls the walk makes; injectable so tests can fail any of them (root ignores chmod 000). */
export interface WalkFs {
  stat: (path: string) => Promise<Stats>
  lstat: (path: string) => Promise<Stats>
  readdir: (path: string) => Promise<Dirent[]>
  realpath: (path: string) => Promise<string>
}

export const nodeWalkFs: WalkFs = {
  stat: async (p) => await stat(p),
  lstat: async (p) => await lstat(p),
  readdir: async (p) => await readdir(p, { withFileTypes: true }),
  realpath: async (p) => await realpath(p)
}

export interface WalkOptions {
  /**
   * Deepest directory level walked below each PATH.
   * @default 16
   */
  maxDepth?: number
  /**
   * Most files taken from all directories together; the rest are reported once.
   * @default 100000
   */
  maxFiles?: number
  fs?: WalkFs
}

export interface WalkResult {
  files: WalkedFile[]
  issues: InputIssue[]
}

// `x.log`, `x.log.1`, `x.log.gz`, `x.log.3.gz`; CRI `0.log` and `0.log.20240905-163854(.gz)` rotations.
const LOG_NAME = /\.log(?:\.\d+|\.\d{8}-\d{6})?(?:\.gz)?$/

/** True for a file name the directory walk picks up. */
export function isLogFileName (name: string): boolean {
  return LOG_NAME.test(name)
}

function errCode (err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : ''
}

function describe (err: unknown): string {
  const code = errCode(err)
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied'
  if (code === 'ENOENT') return 'no such file or directory'
  if (code === 'ENOTDIR') return 'a component of the path is not a directory'
  if (code === 'ELOOP') return 'too many levels of symbolic links'
  return err instanceof Error ? err.message : String(err)
}

/** Expands PATH arguments into log files, in a stable order, each real file once. */
export async function walkInputs (paths: readonly string[], options: WalkOptions = {}): Promise<WalkResult> {
  const fs = options.fs ?? nodeWalkFs
  const maxDepth = options.maxDepth ?? 16
  const maxFiles = options.maxFiles ?? 100000
  const files: WalkedFile[] = []
  const issues: InputIssue[] = []
  const seenFiles = new Set<string>()
  const seenDirs = new Set<string>()
  let truncated = false

  const addFile = async (path: string, st: Stats, explicit: boolean): Promise<void> => {
    // /var/log/containers/*.log are symlinks into /var/log/pods: the same file must not be read twice
    let real = path
    try { real = await fs.realpath(path) } catch { /* keep the given path */ }
    if (seenFiles.has(real)) return
    if (!explicit && files.length >= maxFiles) { truncated = true; return }
    seenFiles.add(real)
    files.push({ path, bytes: st.size, explicit })
  }

  const walkDir = async (dir: string, depth: number): Promise<void> => {
    let real = dir
    try { real = await fs.realpath(dir) } catch { /* keep */ }
    if (seenDirs.has(real)) return // symlink loop or the same tree named twice
    seenDirs.add(real)
    let entries: Dirent[]
    try {
      entries = await fs.readdir(dir)
    } catch (err) {
      issues.push({ code: 'unreadable', path: dir, explicit: depth === 0, message: `cannot read directory ${dir}: ${describe(err)}; skipped` })
      return
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    for (const entry of entries) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) {
        if (depth < maxDepth) await walkDir(path, depth + 1)
        continue
      }
      if (!isLogFileName(entry.name)) continue
      if (entry.isFile()) {
        try { await addFile(path, await fs.stat(path), false) } catch (err) {
          issues.push({ code: 'unreadable', path, explicit: false, message: `cannot read ${path}: ${describe(err)}; skipped` })
        }
      } else if (entry.isSymbolicLink()) {
        let st: Stats
        try { st = await fs.stat(path) } catch {
          continue // dangling symlink (a rotated-away container log): nothing to read, nothing to say
        }
        if (st.isFile()) await addFile(path, st, false)
      }
    }
  }

  for (const path of paths) {
    let st: Stats
    try {
      st = await fs.stat(path)
    } catch (err) {
      const code = errCode(err)
      issues.push({
        code: code === 'ENOENT' || code === 'ENOTDIR' ? 'missing' : 'unreadable',
        path,
        explicit: true,
        message: code === 'ENOENT' ? `${path}: no such file or directory` : `cannot read ${path}: ${describe(err)}`
      })
      continue
    }
    if (st.isDirectory()) {
      const before = files.length
      const issuesBefore = issues.length
      await walkDir(path, 0)
      if (files.length === before && issues.length === issuesBefore) {
        issues.push({ code: 'no-logs', path, explicit: true, message: `${path}: no log files (*.log, *.log.N, *.log.gz) found in this directory` })
      }
    }
    else if (st.isFile() || st.isFIFO()) await addFile(path, st, true) // FIFO: `scan <(kubectl logs …)`
    else issues.push({ code: 'not-a-file', path, explicit: true, message: `${path} is neither a file nor a directory; skipped` })
  }
  if (truncated) {
    issues.push({ code: 'read-error', path: paths.join(' '), explicit: false, message: `more than ${maxFiles} log files found; only the first ${maxFiles} are scanned` })
  }
  return { files, issues }
}
