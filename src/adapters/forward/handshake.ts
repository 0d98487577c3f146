// shared_key handshake of the Forward protocol (server side): HELO → PING → PONG.
// Digests are sha512 hex over raw bytes; the client's salt arrives as a msgpack str that is not
// valid UTF-8, so it is handled as bytes throughout.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { Encoder } from '@msgpack/msgpack'

const encoder = new Encoder()

/** Per-connection secrets the server sends in HELO. */
export interface HandshakeSeed {
  /** 16 random bytes; the client hashes it into its PING digest. */
  nonce: Uint8Array
  /** Salt of the username/password digest; empty when no users are configured. */
  authSalt: Uint8Array
}

export interface HandshakeConfig {
  sharedKey: string
  serverHostname: string
  /** username → password; when set, PING must carry a matching password digest. */
  users?: Readonly<Record<string, string>>
}

export function newSeed (withUsers: boolean): HandshakeSeed {
  return { nonce: randomBytes(16), authSalt: withUsers ? randomBytes(16) : new Uint8Array(0) }
}

/** `["HELO", {nonce, auth, keepalive: true}]` in that key order (Fluent Bit reads it in one read). */
export function encodeHelo (seed: HandshakeSeed): Uint8Array {
  return encoder.encode(['HELO', { nonce: seed.nonce, auth: seed.authSalt, keepalive: true }])
}

function sha512Hex (...parts: Array<Uint8Array | string>): string {
  const h = createHash('sha512')
  for (const p of parts) h.update(p)
  return h.digest('hex')
}

function sameHex (a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

export interface Ping {
  clientHostname: string
  salt: Uint8Array
  sharedKeyDigest: string
  username: string
  passwordDigest: string
}

export type PingCheck = { ok: true, pong: Uint8Array } | { ok: false, reason: string, pong: Uint8Array }

/**
 * Verifies a PING against the connection's seed and returns the PONG to send:
 * `["PONG", true, "", server_hostname, sha512_hex(salt ‖ server_hostname ‖ nonce ‖ key)]`, or
 * `["PONG", false, reason, server_hostname, ""]` (then the server closes the connection).
 */
export function checkPing (ping: Ping, seed: HandshakeSeed, cfg: HandshakeConfig): PingCheck {
  const reject = (reason: string): PingCheck => ({ ok: false, reason, pong: encoder.encode(['PONG', false, reason, cfg.serverHostname, '']) })
  if (ping.clientHostname === cfg.serverHostname) return reject('same hostname between input and output: invalid configuration')
  const expected = sha512Hex(ping.salt, ping.clientHostname, seed.nonce, cfg.sharedKey)
  if (!sameHex(expected, ping.sharedKeyDigest)) return reject('shared_key mismatch')
  if (cfg.users !== undefined && Object.keys(cfg.users).length > 0) {
    const password = Object.hasOwn(cfg.users, ping.username) ? cfg.users[ping.username] : undefined
    if (password === undefined) return reject('username/password mismatch')
    if (!sameHex(sha512Hex(seed.authSalt, ping.username, password), ping.passwordDigest)) return reject('username/password mismatch')
  }
  const digest = sha512Hex(ping.salt, cfg.serverHostname, seed.nonce, cfg.sharedKey)
  return { ok: true, pong: encoder.encode(['PONG', true, '', cfg.serverHostname, digest]) }
}

/** `{ack: chunk}` with the chunk as a msgpack str (Fluent Bit rejects a bin); written by hand: one per frame. */
export function encodeAck (chunk: string): Uint8Array {
  const n = Buffer.byteLength(chunk, 'utf8')
  const head = n < 32 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : 5
  const out = Buffer.allocUnsafe(5 + head + n)
  out[0] = 0x81 // fixmap of 1
  out[1] = 0xa3 // fixstr "ack"
  out[2] = 0x61; out[3] = 0x63; out[4] = 0x6b
  if (head === 1) out[5] = 0xa0 | n
  else if (head === 2) { out[5] = 0xd9; out[6] = n }
  else if (head === 3) { out[5] = 0xda; out.writeUInt16BE(n, 6) }
  else { out[5] = 0xdb; out.writeUInt32BE(n, 6) }
  out.write(chunk, 5 + head, 'utf8')
  return out
}
