/**
 * Inside a fresh network and mount namespace, before a stand-in's billing service starts: brings
 * loopback up with the capture addresses, points /etc/hosts (privately) at them and starts the
 * capture server, whose stdin is this process's pipe, so it exits when the service does.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { CaptureSetup } from './capture.js';

export async function enterCapture(): Promise<void> {
  const setupFile = process.env.CAPTURE_SETUP;
  if (!setupFile) throw new Error('CAPTURE_SETUP must name the capture setup file');
  const setup = JSON.parse(readFileSync(setupFile, 'utf8')) as CaptureSetup;
  execFileSync('ip', ['link', 'set', 'lo', 'up']);
  for (const address of setup.localAddresses) execFileSync('ip', ['address', 'add', `${address}/32`, 'dev', 'lo']);
  execFileSync('mount', ['--bind', setup.hostsFile, '/etc/hosts']);

  const [command, ...args] = setup.captureCommand;
  if (command === undefined) throw new Error('the capture setup names no command');
  const capture = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'], env: { PATH: process.env.PATH ?? '' } });
  await new Promise<void>((resolve, reject) => {
    capture.once('exit', (code) => reject(new Error(`the capture server exited (code ${code}) before it was ready`)));
    createInterface({ input: capture.stdout! }).on('line', (line) => {
      if (!line.startsWith('READY ')) return;
      writeFileSync(setup.pidFile, String(capture.pid));
      capture.removeAllListeners('exit');
      resolve();
    });
  });
}
