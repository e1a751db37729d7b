// Runs in a portal page (where documents-ot.js and documents.js are loaded): three editors on
// detached textareas against a simulated OT server, with every call, answer and event delivered in
// random order and a share of the events lost. Resolves to null when all end identical to the
// server, else to a description of the divergence.
async ({ runs, steps, deliver }) => {
    const { TextOperation, transform } = window.intelagentOt;
    const rnd = n => Math.floor(Math.random() * n);
    const tick = () => new Promise(r => setTimeout(r, 0));
    for (let run = 0; run < runs; run++) {
        const server = { text: 'start', log: [] };
        const queue = [], clients = [];
        for (let i = 0; i < 3; i++) {
            const textarea = document.createElement('textarea');
            const dotnet = {
                invokeMethodAsync(method, ...args) {
                    if (method === 'StateChanged' || method === 'ShareCursor') return Promise.resolve({ ok: true });
                    return new Promise(resolve => queue.push({ kind: 'call', client: i, method, args, resolve }));
                },
            };
            const handle = window.intelagentDocuments.start(textarea, null, dotnet, { userId: 'u' + i, revision: 0, content: 'start', quietMs: 300 });
            clients.push({ textarea, handle });
        }
        const serve = item => {
            if (item.method === 'Submit') {
                const [revision, ops, clientId] = item.args;
                let op = TextOperation.fromJSON(ops);
                for (const applied of server.log.slice(revision)) op = transform(op, applied.op)[0];
                server.text = op.apply(server.text);
                const entry = { revision: server.log.length + 1, op, clientId };
                server.log.push(entry);
                for (const client of clients)
                    if (Math.random() < deliver) queue.push({ kind: 'event', client, payload: { revision: entry.revision, operation: op.toJSON(), clientId, userId: 'x' } });
                queue.push({ kind: 'answer', resolve: item.resolve, value: { ok: true, status: 200, revision: entry.revision } });
            } else {
                const [since] = item.args;
                const operations = server.log.slice(since).map(e => ({ revision: e.revision, operation: e.op.toJSON(), clientId: e.clientId }));
                queue.push({ kind: 'answer', resolve: item.resolve, value: { ok: true, status: 200, operations } });
            }
        };
        const next = () => {
            const item = queue.splice(rnd(queue.length), 1)[0];
            if (item.kind === 'call') serve(item);
            else if (item.kind === 'answer') item.resolve(item.value);
            else item.client.handle.deliver('operation', item.payload);
        };
        for (let step = 0; step < steps; step++) {
            if (Math.random() < 0.4) {
                const { textarea } = clients[rnd(3)];
                const v = textarea.value, at = rnd(v.length + 1), removed = rnd(Math.min(3, v.length - at + 1));
                textarea.value = v.slice(0, at) + 'xyz€'.slice(0, rnd(4)) + v.slice(at + removed);
                textarea.dispatchEvent(new Event('input'));
            } else if (queue.length) next();
            await tick();
        }
        const settled = () => window.intelagentDocuments.live().every(e => e.state === 'synchronized' && e.text === server.text);
        for (let round = 0; round < 20000 && !settled(); round++) {
            if (queue.length) next();
            await new Promise(r => setTimeout(r, queue.length ? 0 : 100));
        }
        const snapshots = window.intelagentDocuments.live();
        for (const { handle } of clients) handle.dispose();
        if (!snapshots.every(e => e.state === 'synchronized' && e.text === server.text))
            return `run ${run}: server ${JSON.stringify(server.text)}, editors ${JSON.stringify(snapshots)}`;
    }
    return null;
}
