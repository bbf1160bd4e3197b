import { parseArgs } from 'node:util';
import { createContext } from '../app/context.ts';
import { ConfigError, loadConfig, SETTINGS, type Config } from '../platform/config.ts';
import { AppError } from '../platform/errors.ts';
import { COMMANDS, type Command } from './commands.ts';
import { CommandFailed, runInOwner, terminalIO, type Values } from './control.ts';

const HELP = `bazaar — e-commerce platform

Usage: bazaar <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.usage.padEnd(44)} ${c.summary}`).join('\n')}

Configuration comes from environment variables:
${SETTINGS.map((s) => `  ${s.env.padEnd(32)} ${s.description}`).join('\n')}
`;

/** An admin command: inside the process that owns the embedded database if one runs, else on a context of its own. */
async function execute(command: Command, config: Config, values: Values): Promise<number> {
  const io = terminalIO();
  if (!config.databaseUrl && config.pglitePath !== 'memory://') {
    const code = await runInOwner(config.pglitePath, command, values, io);
    if (code !== undefined) return code;
  }
  const ctx = await createContext(config, { command: command.name.join(' '), ...(command.skipMigrations ? { migrate: false } : {}) });
  try {
    return await command.execute!(ctx, values, io);
  } finally {
    await ctx.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const words = argv.filter((a) => !a.startsWith('-'));
  const command = COMMANDS.find((c) => c.name.every((part, i) => words[i] === part));
  if (!command || argv.includes('--help') || argv.includes('-h')) {
    if (command) {
      process.stdout.write(`Usage: bazaar ${command.usage}\n\n${command.summary}\n${command.help ?? ''}\n`);
      return 0;
    }
    process.stdout.write(HELP);
    return words.length === 0 || argv.includes('--help') || argv.includes('-h') ? 0 : 2;
  }
  const rest = argv.slice(argv.indexOf(command.name[command.name.length - 1]!) + 1);
  const { values } = parseArgs({ args: rest, options: command.options ?? {}, strict: true, allowPositionals: false });
  const config = loadConfig();
  if (command.run) return command.run(config, values as Values);
  return execute(command, config, values as Values);
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined && code !== 0) process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof ConfigError) process.stderr.write(`${error.message}\n`);
    else if (error instanceof AppError || error instanceof CommandFailed) process.stderr.write(`error: ${error.message} (${error.code})\n`);
    else if (error instanceof TypeError && (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) process.stderr.write(`${error.message}\nRun bazaar --help\n`);
    else process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
