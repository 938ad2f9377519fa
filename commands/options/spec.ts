/**
 * Subcommands are declared as data: cli.ts builds commander from these
 * declarations, and the tests check --help and the man page against them.
 */

export interface OptionSpec {
  /** commander flags, e.g. '-m, --id <ID>' */
  flags: string;
  description: string;
  /** May be given more than once; the values are collected in order. */
  repeatable?: boolean;
  /** Value choices, shown in help and enforced by commander. */
  choices?: string[];
  /**
   * A flag that sets opts[key] = value, the last such flag winning (ipcs's
   * rule for -t/-p/-c/-l/-u and for --human/-b).
   */
  sets?: { key: string; value: string };
  /** Shared by many commands and documented once (the man page's "Common options"). */
  common?: boolean;
}

interface ArgumentSpec {
  /** commander argument syntax, e.g. '[id]' or '[ids...]' */
  name: string;
  description: string;
  /** Fixed words it takes (an action): help, completion. */
  choices?: string[];
}

export type Options = Record<string, unknown>;

export interface CommandSpec {
  name: string;
  summary: string;
  /** Usage line shown in help and the man page, without the program name. */
  usage: string;
  arguments: ArgumentSpec[];
  options: OptionSpec[];
  /** Takes `-- CMD ARGS...` after its own arguments. */
  trailingCommand?: boolean;
  /** Runs the subcommand; resolves to the exit status. */
  run(args: string[], opts: Options, command: string[]): Promise<number> | number;
}
