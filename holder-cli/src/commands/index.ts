export { type GlobalOptions, readPassphrase } from './common.js';
export { initCommand } from './init.js';
export { listCommand } from './list.js';
export { type PresentCommandOptions, presentCommand } from './present.js';
export { type ReceiveCommandOptions, receiveCommand } from './receive.js';
export { showCommand } from './show.js';
