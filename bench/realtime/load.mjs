// The load generator of bench/realtime-broadcast.sh, the same for both servers: N socket.io-client
// connections over WebSocket, each recording publish-to-receipt latency of 'metrics:updated'
// (the publish time travels in the payload; both processes read the same machine clock).
// Usage: node load.mjs <url> <token|-> <clients>. Prints "CONNECTED <n>" once all are connected;
// on stdin "report" prints one JSON line of the latencies received since the last "reset".
import { createInterface } from 'node:readline';
import { io } from 'socket.io-client';

const [url, token, clientsText] = process.argv.slice(2);
const clients = Number(clientsText);
const now = () => performance.timeOrigin + performance.now();
let latencies = [];
let failed = 0;
const sockets = [];

function connect() {
  return new Promise((resolve) => {
    const socket = io(url, {
      transports: ['websocket'], forceNew: true, reconnection: false, timeout: 60000,
      auth: token === '-' ? {} : { token },
    });
    socket.on('metrics:updated', (data) => {
      const t = data.payload ? data.payload.t : data.t;
      latencies.push(now() - t);
    });
    socket.once('connect', () => resolve(true));
    socket.once('connect_error', () => { failed++; resolve(false); });
    sockets.push(socket);
  });
}

for (let i = 0; i < clients; i += 50) {
  await Promise.all(Array.from({ length: Math.min(50, clients - i) }, connect));
}
console.log(`CONNECTED ${clients - failed} ${failed}`);

for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === 'report') {
    const sorted = Float64Array.from(latencies).sort();
    const rank = (p) => sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
    console.log(JSON.stringify({ received: sorted.length, p50: rank(0.5), p99: rank(0.99), max: sorted.length ? sorted[sorted.length - 1] : null }));
  } else if (line.trim() === 'reset') {
    latencies = [];
  } else if (line.trim() === 'quit') break;
}
for (const socket of sockets) socket.close();
process.exit(0);
