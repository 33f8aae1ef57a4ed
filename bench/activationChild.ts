// Child process of the activation benchmark: require + activate the bundled
// extension with a minimal host, and count network connections attempted
// before activate() returned. Prints one JSON line.

import * as net from 'node:net';
import * as path from 'node:path';
import { createMinimalHost, installVscode } from './minimalHost';

let connects = 0;
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
  connects++;
  return (connect as (...a: unknown[]) => net.Socket).apply(this, args);
} as typeof connect;

const { vscode, registered } = createMinimalHost();
installVscode(vscode);
const bundle = path.resolve(__dirname, '../../dist/extension.js');
const context = { subscriptions: [] as { dispose(): void }[], extensionPath: path.resolve(__dirname, '../..'), globalState: { get() {}, update: async () => undefined }, workspaceState: { get() {}, update: async () => undefined } };

const t0 = process.hrtime.bigint();
const ext = require(bundle);
const t1 = process.hrtime.bigint();
ext.activate(context);
const t2 = process.hrtime.bigint();
const connectsDuringActivation = connects;
process.stdout.write(
  JSON.stringify({ requireMs: Number(t1 - t0) / 1e6, activateMs: Number(t2 - t1) / 1e6, connectsDuringActivation, commands: registered.length }) + '\n',
);
for (const d of context.subscriptions) d.dispose();
process.exit(0);
