// Plain-text operational transformation, the same model as the server's Documents/TextOperation.cs
// (ot.js): an operation walks the whole text as retains (n > 0), deletes (n < 0) and inserts
// (strings), counted in UTF-16 code units. Pure functions only: documents.js drives them.
window.intelagentOt = (() => {
    const isRetain = c => typeof c === 'number' && c > 0;
    const isDelete = c => typeof c === 'number' && c < 0;
    const isInsert = c => typeof c === 'string';

    class TextOperation {
        constructor() { this.ops = []; this.baseLength = 0; this.targetLength = 0; }

        retain(n) {
            if (n <= 0) return this;
            this.baseLength += n; this.targetLength += n;
            const last = this.ops.length - 1;
            if (isRetain(this.ops[last])) this.ops[last] += n; else this.ops.push(n);
            return this;
        }

        insert(text) {
            if (!text) return this;
            this.targetLength += text.length;
            const ops = this.ops, last = ops.length - 1;
            // Inserts before deletes, as the server orders them, so equal operations look the same.
            if (isInsert(ops[last])) ops[last] += text;
            else if (isDelete(ops[last])) {
                if (isInsert(ops[last - 1])) ops[last - 1] += text; else ops.splice(last, 0, text);
            } else ops.push(text);
            return this;
        }

        delete(n) {
            if (n <= 0) return this;
            this.baseLength += n;
            const last = this.ops.length - 1;
            if (isDelete(this.ops[last])) this.ops[last] -= n; else this.ops.push(-n);
            return this;
        }

        isNoop() { return this.ops.length === 0 || (this.ops.length === 1 && isRetain(this.ops[0])); }

        apply(text) {
            if (text.length !== this.baseLength) throw new Error(`operation expects ${this.baseLength} characters, not ${text.length}`);
            const parts = [];
            let index = 0;
            for (const c of this.ops) {
                if (isRetain(c)) { parts.push(text.slice(index, index + c)); index += c; }
                else if (isInsert(c)) parts.push(c);
                else index -= c;
            }
            return parts.join('');
        }

        // The effect of this operation followed by `next`.
        compose(next) {
            if (this.targetLength !== next.baseLength) throw new Error('compose: lengths differ');
            const result = new TextOperation();
            const a = this.ops.slice(), b = next.ops.slice();
            let i = 0, j = 0, x = a[i++], y = b[j++];
            while (x !== undefined || y !== undefined) {
                if (isDelete(x)) { result.delete(-x); x = a[i++]; continue; }
                if (isInsert(y)) { result.insert(y); y = b[j++]; continue; }
                if (x === undefined || y === undefined) throw new Error('compose: operations do not fit');
                const lx = isRetain(x) ? x : x.length, ly = isRetain(y) ? y : -y;
                const n = Math.min(lx, ly);
                if (isRetain(x) && isRetain(y)) result.retain(n);
                else if (isInsert(x) && isRetain(y)) result.insert(x.slice(0, n));
                else if (isRetain(x) && isDelete(y)) result.delete(n);
                // insert then delete: both vanish
                x = lx > n ? (isRetain(x) ? x - n : x.slice(n)) : a[i++];
                y = ly > n ? (isRetain(y) ? y - n : y + n) : b[j++];
            }
            return result;
        }

        // Moves a position through this operation (an insert at the position pushes it along).
        transformPosition(position) {
            let remaining = position, result = position;
            for (const c of this.ops) {
                if (isRetain(c)) remaining -= c;
                else if (isInsert(c)) result += c.length;
                else { result -= Math.min(remaining, -c); remaining += c; }
                if (remaining < 0) break;
            }
            return Math.max(0, result);
        }

        toJSON() { return this.ops; }

        static fromJSON(ops) {
            const op = new TextOperation();
            for (const c of ops) {
                if (isInsert(c)) op.insert(c);
                else if (isRetain(c)) op.retain(c);
                else if (isDelete(c)) op.delete(-c);
                else throw new Error('not an operation');
            }
            return op;
        }

        // The operation turning `before` into `after`, from their common prefix and suffix.
        static diff(before, after) {
            let prefix = 0;
            const max = Math.min(before.length, after.length);
            while (prefix < max && before.charCodeAt(prefix) === after.charCodeAt(prefix)) prefix++;
            let suffix = 0;
            while (suffix < max - prefix && before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)) suffix++;
            return new TextOperation().retain(prefix).delete(before.length - prefix - suffix)
                .insert(after.slice(prefix, after.length - suffix)).retain(suffix);
        }
    }

    // (a', b') with apply(apply(s, a), b') === apply(apply(s, b), a'); at one place a's insert goes
    // first. The server transforms an incoming edit as `a` past applied ones, so a client transforms
    // its own pending edit as `a` past the server's: both sides then order equal inserts alike.
    function transform(a, b) {
        if (a.baseLength !== b.baseLength) throw new Error('transform: operations apply to different texts');
        const aPrime = new TextOperation(), bPrime = new TextOperation();
        const xs = a.ops, ys = b.ops;
        let i = 0, j = 0, x = xs[i++], y = ys[j++];
        while (x !== undefined || y !== undefined) {
            if (isInsert(x)) { aPrime.insert(x); bPrime.retain(x.length); x = xs[i++]; continue; }
            if (isInsert(y)) { aPrime.retain(y.length); bPrime.insert(y); y = ys[j++]; continue; }
            if (x === undefined || y === undefined) throw new Error('transform: operations do not fit');
            const lx = Math.abs(x), ly = Math.abs(y), n = Math.min(lx, ly);
            if (isRetain(x) && isRetain(y)) { aPrime.retain(n); bPrime.retain(n); }
            else if (isDelete(x) && isRetain(y)) aPrime.delete(n);
            else if (isRetain(x) && isDelete(y)) bPrime.delete(n);
            // both delete the same characters: nothing left to do
            x = lx > n ? (x > 0 ? x - n : x + n) : xs[i++];
            y = ly > n ? (y > 0 ? y - n : y + n) : ys[j++];
        }
        return [aPrime, bPrime];
    }

    return { TextOperation, transform };
})();
