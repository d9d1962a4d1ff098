export { type GlobalOptions, readPassphrase } from './common.js';
export { historyCommand } from './history.js';
export { initCommand } from './init.js';
export { listCommand } from './list.js';
export { exportCommand, importCommand, passphraseChangeCommand } from './maintenance.js';
export { type PresentCommandOptions, presentCommand } from './present.js';
export { type ReceiveCommandOptions, receiveCommand } from './receive.js';
export { showCommand } from './show.js';
