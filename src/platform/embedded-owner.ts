import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppError } from './errors.ts';

/**
 * The embedded database (a PGlite directory) has one owner process. Two processes that open
 * the same directory each keep their own copy in memory and overwrite each other's writes, so
 * the first process takes an exclusive lock file beside the directory and every other one is
 * refused with a message that says what to do. A lock left by a process that died (crash,
 * SIGKILL, power loss, a container restarted with the same pid) is recognized and taken over.
 *
 * The owner may also serve a control socket in the same private directory (0700): the CLI sends
 * its admin commands there instead of opening the database itself (src/cli/control.ts).
 */
export interface OwnerInfo {
  pid: number;
  hostname: string;
  /** Linux: the kernel boot id and the process's start time in clock ticks, so a reused pid is not mistaken for the owner. */
  bootId?: string;
  startTicks?: number;
  startedAt: string;
  command: string;
}

export interface OwnerPaths {
  /** The database directory itself. */
  database: string;
  /** Private (0700) directory beside it, with the lock and the control socket. */
  dir: string;
  lock: string;
  socket: string;
}

export class DatabaseInUseError extends AppError {
  constructor(
    readonly owner: OwnerInfo,
    readonly paths: OwnerPaths,
  ) {
    super('database_in_use', 'unavailable', inUseMessage(owner, paths), { pid: owner.pid, hostname: owner.hostname, command: owner.command });
  }
}

function inUseMessage(owner: OwnerInfo, paths: OwnerPaths): string {
  const where = owner.hostname === os.hostname() ? `process ${owner.pid}` : `process ${owner.pid} on ${owner.hostname}`;
  return [
    `The embedded database ${paths.database} is in use by ${where} ("bazaar ${owner.command}", since ${owner.startedAt}).`,
    'Only one process may open it. Stop that process first, or, while `bazaar all`/`serve`/`worker` runs, use the admin',
    'commands (admin create, seed, search reindex, events replay, migrate): they run inside it. To run several processes',
    `at once, use PostgreSQL (DATABASE_URL).${owner.hostname === os.hostname() ? '' : ` If ${owner.hostname} no longer runs Bazaar, delete ${paths.lock}.`}`,
  ].join('\n');
}

// Unix socket paths are limited to ~104 bytes; a deep data directory puts the socket in a private temp dir instead.
const MAX_SOCKET_PATH = 100;

export function ownerPaths(pglitePath: string): OwnerPaths {
  const database = path.resolve(pglitePath);
  const dir = `${database}.owner`;
  let socket = path.join(dir, 'control.sock');
  if (Buffer.byteLength(socket) > MAX_SOCKET_PATH) {
    const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
    const tag = crypto.createHash('sha256').update(dir).digest('hex').slice(0, 16);
    socket = path.join(os.tmpdir(), `bazaar-${uid}`, `${tag}.sock`);
  }
  return { database, dir, lock: path.join(dir, 'owner.json'), socket };
}

/** Creates a directory only this OS user can enter (the control socket's access control). */
export function privateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
}

function readProc(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Field 22 of /proc/<pid>/stat: start time in clock ticks since boot (the command name may contain spaces, so count after the last ')'). */
function startTicksOf(pid: number): number | undefined {
  const stat = readProc(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[19]);
  return Number.isFinite(ticks) ? ticks : undefined;
}

const bootId = () => readProc('/proc/sys/kernel/random/boot_id')?.trim();

export function describeThisProcess(command: string): OwnerInfo {
  const boot = bootId();
  const ticks = startTicksOf(process.pid);
  return { pid: process.pid, hostname: os.hostname(), ...(boot ? { bootId: boot } : {}), ...(ticks !== undefined ? { startTicks: ticks } : {}), startedAt: new Date().toISOString(), command };
}

/** Whether the process a lock names still runs. A lock from another host is assumed alive (it cannot be checked). */
export function isOwnerAlive(owner: OwnerInfo): boolean {
  if (owner.hostname !== os.hostname()) return true;
  const boot = bootId();
  if (owner.bootId && boot && owner.bootId !== boot) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  const ticks = startTicksOf(owner.pid);
  return owner.startTicks === undefined || ticks === undefined || ticks === owner.startTicks;
}

export function readOwner(paths: OwnerPaths): { info: OwnerInfo; raw: string } | undefined {
  let raw: string;
  try {
    raw = fs.readFileSync(paths.lock, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const info = JSON.parse(raw) as OwnerInfo;
    return typeof info.pid === 'number' && typeof info.hostname === 'string' ? { info, raw } : undefined;
  } catch {
    return undefined;
  }
}

/** The live owner of an embedded database directory, if any. */
export function findLiveOwner(pglitePath: string): OwnerInfo | undefined {
  const current = readOwner(ownerPaths(pglitePath));
  return current && isOwnerAlive(current.info) ? current.info : undefined;
}

export interface OwnerLock {
  paths: OwnerPaths;
  info: OwnerInfo;
  release(): void;
}

/** Locks this process holds (lock path → content), released even when the process exits without closing. */
const held = new Map<string, string>();
let releaseOnExit = false;

/**
 * Takes the exclusive lock of an embedded database directory, or throws `DatabaseInUseError`.
 * `O_EXCL` creation makes taking a free lock atomic; taking over a dead owner's lock goes
 * through a second exclusive file, so two processes racing for it cannot both win.
 */
export function acquireOwnerLock(pglitePath: string, command: string): OwnerLock {
  const paths = ownerPaths(pglitePath);
  if (held.has(paths.lock)) throw new DatabaseInUseError(readOwner(paths)?.info ?? describeThisProcess(command), paths);
  privateDir(paths.dir);
  const info = describeThisProcess(command);
  const content = JSON.stringify(info);
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      fs.writeFileSync(paths.lock, content, { flag: 'wx', mode: 0o600 });
      held.set(paths.lock, content);
      if (!releaseOnExit) {
        releaseOnExit = true;
        process.on('exit', () => {
          for (const [lock, mine] of held) releaseLock(lock, mine);
        });
      }
      return { paths, info, release: () => releaseLock(paths.lock, content) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const current = readOwner(paths);
    if (current && isOwnerAlive(current.info)) throw new DatabaseInUseError(current.info, paths);
    // Dead owner, or a lock so young it is still being written: take it over, or look again.
    if (current || lockAgeMs(paths.lock) > 2000) takeOver(paths, current?.raw);
    else sleepSync(20);
  }
  throw new Error(`Could not take the lock ${paths.lock}`);
}

function takeOver(paths: OwnerPaths, staleRaw: string | undefined): void {
  const guard = `${paths.lock}.takeover`;
  try {
    fs.writeFileSync(guard, String(process.pid), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // Someone else is taking over; a guard left by a process that died mid-takeover is removed.
    if (lockAgeMs(guard) > 5000) fs.rmSync(guard, { force: true });
    sleepSync(20);
    return;
  }
  try {
    const now = readOwner(paths);
    if (now?.raw === staleRaw || (staleRaw === undefined && now === undefined)) fs.rmSync(paths.lock, { force: true });
  } finally {
    fs.rmSync(guard, { force: true });
  }
}

function releaseLock(lock: string, content: string): void {
  held.delete(lock);
  try {
    if (fs.readFileSync(lock, 'utf8') === content) fs.rmSync(lock, { force: true });
  } catch {
    // Already gone.
  }
}

function lockAgeMs(file: string): number {
  try {
    return Date.now() - fs.statSync(file).mtimeMs;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
