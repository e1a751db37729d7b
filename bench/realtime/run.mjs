// The orchestrator of bench/realtime-broadcast.sh (see bench/README.md). For each client count, in
// the same run: the plain socket.io server, then ours; each gets the same load generator.
import { spawn } from 'node:child_process';
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const option = (name, fallback) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? process.argv[index + 1] : fallback;
};
const clientCounts = option('clients', '1000,5000').split(',').map(Number);
const broadcasts = Number(option('broadcasts', '200'));
const interval = Number(option('interval', '50'));
const drainSeconds = Number(option('drain-seconds', '30'));
const hostDll = option('host', join(here, 'Intelagent.RealtimeBench/bin/Release/net10.0/Intelagent.RealtimeBench.dll'));
const ticksPerSecond = 100; // USER_HZ on Linux
const cores = availableParallelism();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const children = new Set();

function start(command, args) {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  children.add(child);
  child.on('exit', () => children.delete(child));
  const waiting = [];
  const lines = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    const index = waiting.findIndex((w) => w.pattern.test(line));
    if (index >= 0) waiting.splice(index, 1)[0].resolve(line);
    else lines.push(line);
  });
  child.next = (pattern, seconds = 120) => new Promise((resolve, reject) => {
    const found = lines.findIndex((l) => pattern.test(l));
    if (found >= 0) return resolve(lines.splice(found, 1)[0]);
    const timer = setTimeout(() => reject(new Error(`${command}: no ${pattern} within ${seconds} s`)), seconds * 1000);
    waiting.push({ pattern, resolve: (line) => { clearTimeout(timer); resolve(line); } });
  });
  child.send = (line) => child.stdin.write(line + '\n');
  return child;
}

const cpuSeconds = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond; // utime + stime
};
const rssBytes = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024;

async function measure(kind, clients) {
  const server = kind === 'socket.io' ? start('node', [join(here, 'node-server.mjs')]) : start('dotnet', [hostDll]);
  const [, url, token, pidText] = (await server.next(/^READY /, 300)).split(' ');
  const pid = Number(pidText);
  await sleep(1000);
  const rssBefore = rssBytes(pid);
  const generator = start('node', [join(here, 'load.mjs'), url, token, String(clients)]);
  const [, connectedText, failedText] = (await generator.next(/^CONNECTED /, 600)).split(' ');
  const connected = Number(connectedText);
  await sleep(2000);
  const rssAfter = rssBytes(pid);

  // Warm-up (JIT, buffers), not measured.
  server.send(`publish 10 ${interval}`);
  await server.next(/^PUBLISHED$/, 300);
  await sleep(1000);
  generator.send('reset');

  const expected = broadcasts * connected;
  const serverCpu = cpuSeconds(pid), generatorCpu = cpuSeconds(generator.pid), wallStart = performance.now();
  server.send(`publish ${broadcasts} ${interval}`);
  await server.next(/^PUBLISHED$/, 600);
  let report;
  const drainUntil = performance.now() + drainSeconds * 1000;
  do {
    await sleep(100);
    generator.send('report');
    report = JSON.parse(await generator.next(/^\{/));
  } while (report.received < expected && performance.now() < drainUntil);
  const wall = (performance.now() - wallStart) / 1000;
  const serverSeconds = cpuSeconds(pid) - serverCpu, generatorSeconds = cpuSeconds(generator.pid) - generatorCpu;

  generator.send('quit');
  server.send('quit');
  await Promise.race([new Promise((resolve) => server.on('exit', resolve)), sleep(10000)]);
  for (const child of [generator, server]) if (child.exitCode === null) child.kill('SIGKILL');
  return {
    server: kind, clients, connected, connectFailures: Number(failedText), broadcasts, expected, received: report.received,
    p50Ms: report.p50, p99Ms: report.p99, maxMs: report.max,
    serverCpuMicrosecondsPerDelivery: report.received ? serverSeconds * 1e6 / report.received : null,
    memoryBytesPerConnection: connected ? (rssAfter - rssBefore) / connected : null,
    generatorCoreShare: generatorSeconds / (wall * cores), serverCoreShare: serverSeconds / (wall * cores), seconds: wall,
  };
}

const format = (value, digits = 2) => value === null || value === undefined ? '-' : Number(value).toFixed(digits);
const results = [];
try {
  for (const clients of clientCounts) {
    for (const kind of ['socket.io', 'intelagent']) {
      console.error(`[realtime-broadcast] ${kind} with ${clients} clients, ${broadcasts} broadcasts every ${interval} ms`);
      results.push(await measure(kind, clients));
    }
  }
} finally {
  for (const child of children) child.kill('SIGKILL');
}

console.log(`server       clients  received/expected  p50 ms  p99 ms  server CPU us/delivery  RSS bytes/connection  generator CPU share  (${cores} cores)`);
for (const r of results)
  console.log(`${r.server.padEnd(12)} ${String(r.clients).padStart(7)}  ${`${r.received}/${r.expected}`.padStart(17)}  ${format(r.p50Ms).padStart(6)}  ${format(r.p99Ms).padStart(6)}  ${format(r.serverCpuMicrosecondsPerDelivery).padStart(22)}  ${format(r.memoryBytesPerConnection, 0).padStart(20)}  ${format(r.generatorCoreShare).padStart(19)}`);
const ratios = clientCounts.map((clients) => {
  const ours = results.find((r) => r.server === 'intelagent' && r.clients === clients);
  const theirs = results.find((r) => r.server === 'socket.io' && r.clients === clients);
  const ratio = (key) => ours[key] && theirs[key] ? ours[key] / theirs[key] : null;
  return { clients, p50: ratio('p50Ms'), p99: ratio('p99Ms'), cpuPerDelivery: ratio('serverCpuMicrosecondsPerDelivery'), memoryPerConnection: ratio('memoryBytesPerConnection') };
});
console.log('\nours / socket.io (below 1 = ours better)');
for (const r of ratios) console.log(`${String(r.clients).padStart(7)} clients: p50 ${format(r.p50)}  p99 ${format(r.p99)}  CPU/delivery ${format(r.cpuPerDelivery)}  memory/connection ${format(r.memoryPerConnection)}`);
const folder = join(here, '..', 'results');
mkdirSync(folder, { recursive: true });
const file = join(folder, `realtime-broadcast-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, JSON.stringify({ cores, broadcasts, interval, results, ratios }, null, 2));
console.log(`\n${file}`);
