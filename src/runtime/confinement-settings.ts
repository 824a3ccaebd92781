import { isAbsolute, join } from 'node:path';
import type { NightshiftConfig } from '../config/nightshift-config.js';
import type { ConfinementSettings } from '../pipeline/confinement-check.js';

/**
 * The orchestrator's own files an escaping agent would go for: keys, shell start-up files
 * (which run on the next login), git and package-manager credentials. Agents get a private
 * HOME, so none of them has a reason to change these during the night.
 */
export const WATCHED_HOME_ENTRIES: readonly string[] = [
  '.ssh',
  '.bashrc',
  '.bash_profile',
  '.bash_login',
  '.profile',
  '.zshrc',
  '.zprofile',
  '.zshenv',
  '.gitconfig',
  '.config/git',
  '.npmrc',
  '.netrc',
  '.aws',
  '.docker/config.json',
  '.kube/config',
];

/**
 * What the after-stage confinement check watches besides the repository: the dotfiles of
 * the orchestrator's HOME (read here, where the environment is read), and it leaves out the
 * tracker's directory, whose ticket files Nightshift itself rewrites during the night.
 */
export function confinementSettingsFor(config: NightshiftConfig, environment: Record<string, string | undefined>): ConfinementSettings {
  const home = environment.HOME;
  return {
    watchedPaths: home !== undefined && isAbsolute(home) ? WATCHED_HOME_ENTRIES.map((entry) => join(home, entry)) : [],
    unwatchedCheckoutPaths: config.tracker.kind === 'files' ? [config.tracker.directory] : [],
  };
}
