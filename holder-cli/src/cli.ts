import { runCli } from './program.js';
import { terminalPrompter } from './ui/prompt.js';

process.exitCode = await runCli(process.argv.slice(2), {
  env: process.env,
  now: () => new Date(),
  stdout: process.stdout,
  stderr: process.stderr,
  prompter: terminalPrompter(process.stdin, process.stderr),
});
