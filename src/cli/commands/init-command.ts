import { access, mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { EXAMPLE_TICKET_FILE_NAME, EXAMPLE_TICKET_TEXT, STARTER_CONFIG_TEXT } from '../../config/starter-files.js';
import { UserFacingError } from '../../runtime/user-facing-error.js';
import type { RepositoryOptions } from '../with-runtime.js';

/** `nightshift init`: a commented starter config and one example ticket, so a team starts from something that works. */
export function registerInitCommand(program: Command): void {
  program
    .command('init')
    .description('Write a commented nightshift.yaml and an example ticket into the repository')
    .option('--force', 'overwrite an existing nightshift.yaml')
    .action(async (options: { force?: boolean }, command: Command) => {
      const root = resolve(command.optsWithGlobals<RepositoryOptions>().repo ?? process.cwd());
      const configPath = join(root, 'nightshift.yaml');
      if (options.force !== true && (await exists(configPath))) {
        throw new UserFacingError(`${configPath} already exists: edit it, or pass --force to replace it with the starter`, 'invalid-input');
      }
      await writeFile(configPath, STARTER_CONFIG_TEXT);
      const ticketPath = join(root, 'tickets', EXAMPLE_TICKET_FILE_NAME);
      await mkdir(join(root, 'tickets'), { recursive: true });
      if (!(await exists(ticketPath))) await writeFile(ticketPath, EXAMPLE_TICKET_TEXT);
      process.stdout.write(`Wrote ${configPath}\nWrote ${ticketPath}\nNext: edit the ticket, then \`nightshift intake --dry-run\`.\n`);
    });
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
