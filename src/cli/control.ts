import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import type { AppContext } from '../app/context.ts';
import { isAppError } from '../platform/errors.ts';
import { findLiveOwner, ownerPaths, privateDir } from '../platform/embedded-owner.ts';
import type { Logger } from '../platform/logger.ts';
import { createProgress, type Progress } from '../seed/progress.ts';

/**
 * Admin commands through the process that owns the embedded database. That process listens on
 * a Unix socket in the database's private directory (0700, so only the same OS user, or root,
 * can connect); the CLI sends `{command, values}` and renders what comes back: output, progress
 * bars, and the exit code. Any command that declares `execute` (see commands.ts) gets this.
 *
 * Messages are JSON lines: out | progress | update | done (of a progress) | exit | error.
 */
export type Values = Record<string, string | boolean | undefined>;

export interface CommandIO {
  write(text: string): void;
  progress(label: string, total: number): Progress;
}

export interface ControlledCommand {
  name: string[];
  options?: Record<string, unknown>;
  execute?(ctx: AppContext, values: Values, io: CommandIO): Promise<number>;
}

type Message =
  | { t: 'out'; text: string }
  | { t: 'progress'; id: number; label: string; total: number }
  | { t: 'update'; id: number; done: number }
  | { t: 'done'; id: number }
  | { t: 'exit'; code: number }
  | { t: 'error'; code: string; message: string };

const MAX_REQUEST_BYTES = 64 * 1024;

export const terminalIO = (): CommandIO => ({
  write: (text) => process.stdout.write(text),
  progress: (label, total) => createProgress(label, total),
});

function socketIO(send: (message: Message) => void): CommandIO {
  let next = 0;
  return {
    write: (text) => send({ t: 'out', text }),
    progress(label, total) {
      const id = ++next;
      send({ t: 'progress', id, label, total });
      let last = -1;
      return {
        update(done) {
          // Whole percent steps are enough over the wire; the client redraws its own bar.
          const step = total > 0 ? Math.floor((done / total) * 100) : 100;
          if (step !== last) {
            last = step;
            send({ t: 'update', id, done });
          }
        },
        done: () => send({ t: 'done', id }),
      };
    },
  };
}

function parseRequest(line: string, commands: readonly ControlledCommand[]): { command: ControlledCommand; values: Values } | undefined {
  let request: { command?: unknown; values?: unknown };
  try {
    request = JSON.parse(line);
  } catch {
    return undefined;
  }
  const name = Array.isArray(request.command) && request.command.every((w) => typeof w === 'string') ? (request.command as string[]) : undefined;
  const command = name && commands.find((c) => c.execute && c.name.join(' ') === name.join(' '));
  if (!command || typeof request.values !== 'object' || request.values === null) return undefined;
  const values: Values = {};
  for (const [key, value] of Object.entries(request.values)) {
    if (!Object.hasOwn(command.options ?? {}, key) || !['string', 'boolean'].includes(typeof value)) return undefined;
    values[key] = value as string | boolean;
  }
  return { command, values };
}

export interface ControlServer {
  socket: string;
  close(): Promise<void>;
}

/** Serves the admin commands of this process's context on the database's control socket. */
export async function startControlServer(ctx: AppContext, commands: readonly ControlledCommand[], logger: Logger): Promise<ControlServer> {
  const { socket } = ownerPaths(ctx.config.pglitePath);
  privateDir(path.dirname(socket));
  // This process holds the database lock, so a socket file left here is from a dead owner.
  fs.rmSync(socket, { force: true });
  const connections = new Set<net.Socket>();
  const server = net.createServer((connection) => {
    connections.add(connection);
    connection.on('close', () => connections.delete(connection));
    connection.on('error', () => {});
    const send = (message: Message) => {
      if (connection.writable) connection.write(`${JSON.stringify(message)}\n`);
    };
    let received = 0;
    connection.on('data', (chunk) => {
      received += chunk.length;
      if (received > MAX_REQUEST_BYTES) connection.destroy();
    });
    const lines = readline.createInterface({ input: connection });
    lines.once('line', (line) => {
      lines.close();
      const request = parseRequest(line, commands);
      if (!request) {
        send({ t: 'error', code: 'invalid_command', message: 'Not a command this process runs' });
        connection.end();
        return;
      }
      logger.info({ command: request.command.name.join(' ') }, 'running a CLI command for the control socket');
      request.command.execute!(ctx, request.values, socketIO(send)).then(
        (code) => send({ t: 'exit', code }),
        (error: unknown) => {
          if (isAppError(error)) send({ t: 'error', code: error.code, message: error.message });
          else {
            logger.error({ err: error }, 'CLI command failed');
            send({ t: 'error', code: 'internal', message: 'The command failed in the running process; its log has the details' });
          }
        },
      ).finally(() => connection.end());
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socket, () => resolve());
  });
  fs.chmodSync(socket, 0o600);
  return {
    socket,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const connection of connections) connection.destroy();
      });
      fs.rmSync(socket, { force: true });
    },
  };
}

export class CommandFailed extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Runs `command` in the process that owns the embedded database at `pglitePath`, if one runs and
 * serves a control socket; resolves to its exit code, or undefined when there is no such owner.
 */
export async function runInOwner(pglitePath: string, command: ControlledCommand, values: Values, io: CommandIO): Promise<number | undefined> {
  if (!findLiveOwner(pglitePath)) return undefined;
  const { socket } = ownerPaths(pglitePath);
  const connection = await new Promise<net.Socket | undefined>((resolve) => {
    const attempt = net.connect(socket);
    attempt.once('connect', () => resolve(attempt));
    attempt.once('error', () => resolve(undefined));
  });
  if (!connection) return undefined;
  connection.write(`${JSON.stringify({ command: command.name, values })}\n`);
  const bars = new Map<number, Progress>();
  return new Promise<number>((resolve, reject) => {
    let outcome: number | undefined;
    const lines = readline.createInterface({ input: connection });
    lines.on('line', (line) => {
      const message = JSON.parse(line) as Message;
      if (message.t === 'out') io.write(message.text);
      else if (message.t === 'progress') bars.set(message.id, io.progress(message.label, message.total));
      else if (message.t === 'update') bars.get(message.id)?.update(message.done);
      else if (message.t === 'done') bars.get(message.id)?.done();
      else if (message.t === 'exit') outcome = message.code;
      else if (message.t === 'error') reject(new CommandFailed(message.code, message.message));
    });
    connection.on('error', (error) => reject(error));
    connection.on('close', () => {
      if (outcome !== undefined) resolve(outcome);
      else reject(new CommandFailed('owner_stopped', 'The running Bazaar process stopped before the command finished; check its log, then run the command again'));
    });
  });
}
