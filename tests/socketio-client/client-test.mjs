// Runs the real socket.io-client (npm, 4.8.x) against the server's /socket.io/ endpoint, the way the
// spec's client code connects: io(url, { auth: { token } }) then socket.on('activity:new', ...).
// Usage: node client-test.mjs http://127.0.0.1:PORT   (exit code 0 when every check passed)
import { io } from 'socket.io-client';
import { randomUUID } from 'node:crypto';

const base = process.argv[2];
if (!base) throw new Error('usage: node client-test.mjs <server url>');
const log = (...args) => console.log('[socketio-client]', ...args);

async function api(method, path, token, body) {
  const response = await fetch(base + path, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}

function within(ms, what, promise) {
  let timer;
  const timeout = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms); });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function connect(options) {
  const socket = io(base, { reconnection: false, ...options });
  const connected = new Promise((resolve, reject) => {
    socket.on('connect', () => resolve(socket));
    socket.on('connect_error', (error) => reject(error));
  });
  return { socket, connected };
}

// Sign up, then sign in over HTTP as the spec's client would.
const email = `socketio-${randomUUID()}@example.test`;
const password = 'correct-horse-battery';
await api('POST', '/api/auth/register', null, { email, password, name: 'Socket Client', organizationName: 'Socket Org' });
const login = await api('POST', '/api/auth/login', null, { email, password });
const token = login.token;
const organizationId = login.user.organizationId;
log('signed in as', email, 'organization', organizationId);

// A bad token is refused with a CONNECT_ERROR, which the client reports as connect_error.
{
  const { socket, connected } = connect({ auth: { token: 'not-a-token' } });
  const error = await within(10000, 'connect_error for a bad token', connected.then(() => null, (e) => e));
  socket.close();
  if (!error) throw new Error('a bad token was accepted');
  log('bad token refused:', error.message);
}

for (const [name, options] of [['websocket (default: polling, then upgrade)', {}], ['polling only', { transports: ['polling'] }], ['websocket only', { transports: ['websocket'] }]]) {
  const { socket, connected } = connect({ auth: { token }, ...options });
  await within(10000, `connect over ${name}`, connected);
  const teamName = `Team ${randomUUID().slice(0, 8)}`;
  const received = new Promise((resolve) => {
    socket.on('activity:new', (event) => {
      if (event?.payload?.target?.name === teamName) resolve(event);
    });
  });
  // Let the default transport finish its upgrade first, so the event really travels over the WebSocket.
  if (!options.transports) await within(10000, 'upgrade to websocket', new Promise((resolve) => {
    if (socket.io.engine.transport.name === 'websocket') resolve();
    else socket.io.engine.once('upgrade', () => resolve());
  }));
  await api('POST', `/api/organizations/${organizationId}/teams`, token, { name: teamName });
  const event = await within(15000, `activity:new over ${name}`, received);
  if (event.type !== 'activity:new' || event.organizationId !== organizationId || !event.id?.startsWith('rte_') || !event.time)
    throw new Error(`unexpected event: ${JSON.stringify(event)}`);
  log(`received activity:new over ${name} (transport ${socket.io.engine.transport.name}):`, event.id, event.payload.action);
  const expectedTransport = options.transports?.[0] ?? 'websocket';
  if (socket.io.engine.transport.name !== expectedTransport) throw new Error(`transport is ${socket.io.engine.transport.name}, expected ${expectedTransport}`);
  socket.close();
}
log('all checks passed');
process.exit(0);
