import type { Command } from 'commander';
import type { EngagementOperations } from '../engagement-client';

export type { EngagementOperations };

/** Everything the CLI's commands need from the outside world, injectable so tests run without a server. */
export interface CliIo {
  /** Connects lazily: commands validate their input first, so bad input never needs Temporal. */
  connect(): Promise<{ engagements: EngagementOperations; close(): Promise<void> }>;
  stdout(text: string): void;
  stderr(text: string): void;
  /** Redraw in place under `--watch` only on a terminal. */
  isTTY: boolean;
  now(): number;
  /** Ends `--watch` (Ctrl-C). */
  signal?: AbortSignal;
}

export interface JsonOption {
  json?: boolean;
}

/**
 * A subcommand about one engagement: `<engagementId>` first (further arguments may follow) and `--json` for
 * machines. Its action validates the id with `engagementIdArg` before anything connects.
 */
export function engagementCommand(
  parent: Command,
  name: string,
  description: string,
  jsonHelp = 'machine-readable output',
): Command {
  return parent.command(name).description(description).argument('<engagementId>').option('--json', jsonHelp);
}

/** Connect, run, always close. */
export async function withEngagements<T>(
  io: CliIo,
  run: (engagements: EngagementOperations) => Promise<T>,
): Promise<T> {
  const { engagements, close } = await io.connect();
  try {
    return await run(engagements);
  } finally {
    await close();
  }
}

/** Prints `--json` output as one JSON document, otherwise the readable text. */
export function output(io: CliIo, options: JsonOption, value: unknown, text: () => string): void {
  io.stdout(options.json ? JSON.stringify(value, null, 2) : text());
}
