// The collaborative editor's client: a textarea driven by the ot.js three-state machine
// (synchronized / awaiting confirm / awaiting with buffer). The circuit (DocumentEditor.razor) is
// its transport: `server` is a DotNetObjectReference whose Submit, ShareCursor and CatchUp run the
// Documents module's service under the caller's permissions; events come back through deliver().
// Server messages are applied strictly in revision order: acknowledgements (the answer to Submit)
// and events may arrive in any order, so they wait in an inbox keyed by revision, and a gap that
// does not fill itself is read with CatchUp. See docs/decisions/024-portal-documents.md.
window.intelagentDocuments = (() => {
    const { TextOperation, transform } = window.intelagentOt;
    const colors = ['#1565c0', '#6a1b9a', '#2e7d32', '#c62828', '#ad1457', '#00695c', '#4e342e', '#283593'];
    const colorOf = id => { let h = 0; for (const ch of id) h = (h * 31 + ch.charCodeAt(0)) >>> 0; return colors[h % colors.length]; };

    class Editor {
        constructor(textarea, overlay, server, options) {
            Object.assign(this, { textarea, overlay, server });
            this.userId = options.userId;
            this.readOnly = !!options.readOnly;
            this.clientId = 'tab-' + Math.random().toString(36).slice(2, 12);
            this.revision = options.revision;
            this.text = options.content;
            this.outstanding = null;     // sent, not yet acknowledged
            this.buffer = null;          // typed while waiting, sent after the acknowledgement
            this.inbox = new Map();      // revision -> { op, ack } waiting for the revisions before it
            this.waitingCursors = [];    // cursors made at a revision not reached yet
            this.cursors = new Map();    // userId -> { anchor, head } in local positions
            this.names = new Map();
            this.timers = new Set();
            this.state = '';
            this.stopped = false;
            this.composing = false;
            textarea.value = this.text;
            textarea.readOnly = this.readOnly;
            this.listeners = [
                [textarea, 'input', () => this.onInput()],
                [textarea, 'compositionstart', () => { this.composing = true; }],
                [textarea, 'compositionend', () => { this.composing = false; this.onInput(); this.drain(); }],
                [textarea, 'scroll', () => this.render()],
                [textarea, 'select', () => this.cursorMoved()],
                [textarea, 'keyup', () => this.cursorMoved()],
                [textarea, 'mouseup', () => this.cursorMoved()],
                [textarea, 'focus', () => this.cursorMoved()],
                [window, 'resize', () => this.render()],
            ];
            for (const [target, type, handler] of this.listeners) target.addEventListener(type, handler);
            this.quietMs = options.quietMs ?? 20000;
            this.setState('synchronized');
            this.watchQuiet();
            this.render();
        }

        // An event lost on the way (a dropped connection) shows as a gap only when a later one comes:
        // a quiet document asks for what it may have missed now and then.
        watchQuiet() {
            this.later('quiet', this.quietMs, async () => { await this.catchUp(); this.watchQuiet(); });
        }

        // ---- local edits -------------------------------------------------------------------
        onInput() {
            if (this.stopped || this.readOnly) { if (this.textarea.value !== this.text) this.textarea.value = this.text; return; }
            const value = this.textarea.value;
            if (value === this.text) return;
            const op = TextOperation.diff(this.text, value);
            this.text = value;
            this.moveCursors(op);
            if (this.buffer) this.buffer = this.buffer.compose(op);
            else if (this.outstanding) this.buffer = op;
            else this.send(op);
            this.setState(this.outstanding ? 'saving' : 'synchronized');
            this.render();
        }

        send(op) {
            this.outstanding = op;
            this.inFlight = true;
            this.call('Submit', this.revision, op.toJSON(), this.clientId).then(result => {
                this.inFlight = false;
                if (!result) return;
                if (result.ok) this.receive(result.revision, { op: null, ack: true, clientId: this.clientId });
                else this.failed(result, () => this.resend());
            });
        }

        // After a transport failure: read what the server has (our edit may have been applied), then send again if not.
        async resend() {
            await this.catchUp();
            if (!this.stopped && this.outstanding && !this.inFlight) this.send(this.outstanding);
        }

        // ---- server messages, in revision order --------------------------------------------
        deliver(kind, payload) {
            if (this.stopped) return;
            if (kind === 'operation') {
                if (payload.clientId === this.clientId) this.receive(payload.revision, { ack: true });
                else this.receive(payload.revision, { op: payload.operation, userId: payload.userId });
            } else if (kind === 'cursor') {
                if (payload.userId === this.userId) return;
                this.waitingCursors.push(payload);
                this.drain();
            } else if (kind === 'presence') {
                this.names = new Map(payload.users.map(u => [u.userId, u.name]));
                for (const id of [...this.cursors.keys()]) if (!this.names.has(id)) this.cursors.delete(id);
                this.render();
            }
        }

        receive(revision, message) {
            if (revision <= this.revision || this.inbox.has(revision)) return;
            this.inbox.set(revision, message);
            this.drain();
        }

        drain() {
            // An IME composition must not have its text replaced under it: remote edits wait for its end.
            if (this.composing) return;
            let applied = false;
            while (this.inbox.has(this.revision + 1)) {
                const message = this.inbox.get(this.revision + 1);
                this.inbox.delete(this.revision + 1);
                this.revision++;
                if (message.ack) this.acknowledged();
                else this.applyServer(TextOperation.fromJSON(message.op));
                applied = true;
            }
            // Stale entries (already applied through a catch-up) are dropped.
            for (const r of this.inbox.keys()) if (r <= this.revision) this.inbox.delete(r);
            if (this.inbox.size > 0) this.later('gap', 1500, () => this.catchUp());
            this.applyWaitingCursors();
            if (applied) this.render();
        }

        acknowledged() {
            if (this.buffer) { const next = this.buffer; this.buffer = null; this.send(next); }
            else { this.outstanding = null; this.setState('synchronized'); this.cursorMoved(); }
        }

        applyServer(op) {
            let remote = op;
            if (this.outstanding) {
                [this.outstanding, remote] = transform(this.outstanding, remote);
                if (this.buffer) [this.buffer, remote] = transform(this.buffer, remote);
            }
            const { selectionStart, selectionEnd, selectionDirection } = this.textarea;
            const focused = document.activeElement === this.textarea;
            this.text = remote.apply(this.text);
            this.textarea.value = this.text;
            if (focused) this.textarea.setSelectionRange(remote.transformPosition(selectionStart), remote.transformPosition(selectionEnd), selectionDirection);
            this.moveCursors(remote);
        }

        // Reads the edits after our revision (a gap, or after a lost answer); callers share one read.
        catchUp() {
            this.catchingUp ??= (async () => {
                const result = await this.call('CatchUp', this.revision);
                if (!result) return;
                if (!result.ok) { this.failed(result, () => this.catchUp()); return; }
                for (const m of result.operations) this.deliver('operation', m);
            })().finally(() => { this.catchingUp = null; });
            return this.catchingUp;
        }

        // ---- cursors -----------------------------------------------------------------------
        cursorMoved() {
            if (this.stopped) return;
            this.later('cursor', 150, () => {
                // Positions are shared at a server revision: with edits in flight they would not be, so the acknowledgement sends them.
                if (this.outstanding || document.activeElement !== this.textarea) return;
                const { selectionStart, selectionEnd, selectionDirection } = this.textarea;
                const [anchor, head] = selectionDirection === 'backward' ? [selectionEnd, selectionStart] : [selectionStart, selectionEnd];
                const key = `${this.revision}:${anchor}:${head}`;
                if (key === this.lastCursor) return;
                this.lastCursor = key;
                this.call('ShareCursor', this.revision, anchor, head).then(result => {
                    if (result && !result.ok && result.status >= 400 && result.status < 500) this.lastCursor = key; // not shared; editing still works
                });
            });
        }

        applyWaitingCursors() {
            const later = [];
            for (const c of this.waitingCursors) {
                if (c.revision > this.revision) { later.push(c); continue; }
                let { anchor, head } = c;
                for (const op of [this.outstanding, this.buffer]) if (op) { anchor = op.transformPosition(anchor); head = op.transformPosition(head); }
                this.cursors.set(c.userId, { anchor: Math.min(anchor, this.text.length), head: Math.min(head, this.text.length) });
            }
            this.waitingCursors = later;
            this.render();
        }

        moveCursors(op) {
            for (const c of this.cursors.values()) { c.anchor = op.transformPosition(c.anchor); c.head = op.transformPosition(c.head); }
        }

        // Other people's carets and selections, drawn in a mirror of the textarea laid over it.
        render() {
            if (!this.overlay) return;
            const t = this.textarea, text = this.text;
            const marks = [];
            for (const [userId, c] of this.cursors) {
                const name = this.names.get(userId) ?? 'Someone';
                marks.push({ userId, name, color: colorOf(userId), from: Math.min(c.anchor, c.head, text.length), to: Math.min(Math.max(c.anchor, c.head), text.length), head: Math.min(c.head, text.length) });
            }
            const mirror = document.createElement('div');
            mirror.className = 'doc-mirror';
            mirror.style.width = t.clientWidth + 'px';
            mirror.style.transform = `translate(${-t.scrollLeft}px, ${-t.scrollTop}px)`;
            const points = [...new Set([0, text.length, ...marks.flatMap(m => [m.from, m.to, m.head])])].sort((a, b) => a - b);
            for (let i = 0; i < points.length; i++) {
                const at = points[i];
                for (const m of marks.filter(m => m.head === at)) {
                    const caret = document.createElement('span');
                    caret.className = 'doc-caret';
                    caret.style.borderColor = m.color;
                    caret.dataset.user = m.userId;
                    const label = document.createElement('span');
                    label.className = 'doc-caret-label';
                    label.style.backgroundColor = m.color;
                    label.textContent = m.name;
                    caret.appendChild(label);
                    mirror.appendChild(caret);
                }
                const next = points[i + 1];
                if (next === undefined) break;
                const span = document.createElement('span');
                span.textContent = text.slice(at, next);
                const selecting = marks.find(m => m.from <= at && next <= m.to && m.from < m.to);
                if (selecting) { span.className = 'doc-selection'; span.style.backgroundColor = selecting.color + '40'; }
                mirror.appendChild(span);
            }
            mirror.appendChild(document.createTextNode('\u200b'));
            this.overlay.replaceChildren(mirror);
        }

        // ---- transport and state -------------------------------------------------------------
        async call(method, ...args) {
            if (this.stopped) return null;
            try {
                const result = await this.server.invokeMethodAsync(method, ...args);
                if (this.stopped) return null;
                if (this.state === 'offline') this.setState(this.outstanding ? 'saving' : 'synchronized');
                this.failures = 0;
                return result;
            } catch (error) {
                // The circuit's connection is down (Blazor reconnects it): same as a server error, retried.
                return this.stopped ? null : { ok: false, status: 0, detail: String(error) };
            }
        }

        // A 4xx stops the editor with the server's reason (no retry loop); anything else is retried with back-off.
        failed(result, retry) {
            if (result.status >= 400 && result.status < 500) {
                this.stop();
                this.server.invokeMethodAsync('Stopped', result.status, result.code ?? null, result.detail ?? null).catch(() => { });
                return;
            }
            this.failures = (this.failures ?? 0) + 1;
            this.setState('offline');
            this.later('retry', Math.min(30000, 1000 * 2 ** Math.min(this.failures, 5)), retry);
        }

        setState(state) {
            if (state === this.state || this.stopped) return;
            this.state = state;
            this.server.invokeMethodAsync('StateChanged', state).catch(() => { });
        }

        // One pending timer per purpose, all cleared by dispose().
        later(purpose, ms, work) {
            this.timerIds ??= new Map();
            if (this.stopped || this.timerIds.has(purpose)) return;
            const id = setTimeout(() => { this.timerIds.delete(purpose); this.timers.delete(id); work(); }, ms);
            this.timerIds.set(purpose, id);
            this.timers.add(id);
        }

        stop() {
            this.stopped = true;
            this.textarea.readOnly = true;
            for (const id of this.timers) clearTimeout(id);
            this.timers.clear();
            this.timerIds?.clear();
        }

        dispose() {
            this.stop();
            for (const [target, type, handler] of this.listeners) target.removeEventListener(type, handler);
            this.overlay?.replaceChildren();
        }

        // For tests and diagnostics.
        snapshot() {
            return { text: this.text, revision: this.revision, state: this.outstanding ? (this.buffer ? 'awaiting-with-buffer' : 'awaiting-confirm') : 'synchronized', timers: this.timers.size };
        }
    }

    const editors = new Set();
    return {
        start(textarea, overlay, server, options) {
            const editor = new Editor(textarea, overlay, server, options);
            editors.add(editor);
            return {
                deliver: (kind, payload) => editor.deliver(kind, payload),
                focus: () => textarea.focus(),
                dispose: () => { editor.dispose(); editors.delete(editor); },
            };
        },
        // How many editors are alive and their pending timers: a page left behind must leave none.
        live: () => [...editors].map(e => e.snapshot()),
    };
})();
