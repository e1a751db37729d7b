// The baseline of bench/realtime-broadcast.sh: a plain socket.io 4.8 server on a loopback port
// that broadcasts to every connected client, as our server does to one organization's group.
// Lines on stdin: "publish <count> <intervalMs>", "quit". Payload: { seq, t } (t = Unix ms, fractional).
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';
import { Server } from 'socket.io';

const http = createServer();
const io = new Server(http, { transports: ['websocket', 'polling'], serveClient: false });
io.on('connection', () => {});
http.listen(0, '127.0.0.1', () => {
  console.log(`READY http://127.0.0.1:${http.address().port} - ${process.pid}`);
});
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
for await (const line of createInterface({ input: process.stdin })) {
  const [command, count, interval] = line.trim().split(/\s+/);
  if (command === 'quit') break;
  if (command !== 'publish') continue;
  for (let seq = 0; seq < Number(count); seq++) {
    const started = now();
    io.emit('metrics:updated', { seq, t: now() });
    await sleep(Math.max(0, Number(interval) - (now() - started)));
  }
  console.log('PUBLISHED');
}
io.close();
process.exit(0);
