using System.Text;
using System.Text.Json;

namespace Intelagent.Server.Documents;

/// <summary>
/// An operational-transform operation on plain text, in the well-proven design of ot.js (used by
/// Etherpad-like editors and Google Wave's descendants): a sequence of retain(n), insert(text) and
/// delete(n) that walks the whole document. <see cref="Transform"/> gives the TP1 property
/// (apply(apply(s, a), b') == apply(apply(s, b), a')), which with one server ordering operations is all
/// convergence needs. Lengths count UTF-16 code units, as JavaScript editors do.
/// On the wire: a JSON array of numbers and strings — n &gt; 0 retains, n &lt; 0 deletes, a string inserts.
/// </summary>
public sealed class TextOperation
{
    private readonly List<Component> _components = [];

    public int BaseLength { get; private set; }
    public int TargetLength { get; private set; }
    public IReadOnlyList<Component> Components => _components;

    public readonly record struct Component(int Retain, string? Insert, int Delete)
    {
        public bool IsRetain => Retain > 0;
        public bool IsInsert => Insert is not null;
        public bool IsDelete => Delete > 0;
    }

    public TextOperation RetainChars(int n)
    {
        if (n <= 0) return this;
        BaseLength += n;
        TargetLength += n;
        if (_components.Count > 0 && _components[^1].IsRetain) _components[^1] = new(_components[^1].Retain + n, null, 0);
        else _components.Add(new(n, null, 0));
        return this;
    }

    public TextOperation InsertText(string text)
    {
        if (text.Length == 0) return this;
        TargetLength += text.Length;
        // Keep inserts before deletes, so equal operations have one canonical form.
        if (_components.Count > 0 && _components[^1].IsInsert) _components[^1] = new(0, _components[^1].Insert + text, 0);
        else if (_components.Count > 0 && _components[^1].IsDelete)
        {
            if (_components.Count > 1 && _components[^2].IsInsert) _components[^2] = new(0, _components[^2].Insert + text, 0);
            else _components.Insert(_components.Count - 1, new(0, text, 0));
        }
        else _components.Add(new(0, text, 0));
        return this;
    }

    public TextOperation DeleteChars(int n)
    {
        if (n <= 0) return this;
        BaseLength += n;
        if (_components.Count > 0 && _components[^1].IsDelete) _components[^1] = new(0, null, _components[^1].Delete + n);
        else _components.Add(new(0, null, n));
        return this;
    }

    public bool IsNoop => _components.Count == 0 || _components is [{ IsRetain: true }];

    public string Apply(string text)
    {
        if (text.Length != BaseLength) throw new InvalidOperationException($"The operation expects a document of {BaseLength} characters, not {text.Length}.");
        var result = new StringBuilder(TargetLength);
        var index = 0;
        foreach (var c in _components)
        {
            if (c.IsRetain) { result.Append(text, index, c.Retain); index += c.Retain; }
            else if (c.IsInsert) result.Append(c.Insert);
            else index += c.Delete;
        }
        return result.ToString();
    }

    /// <summary>One operation with the effect of this one followed by <paramref name="next"/>.</summary>
    public TextOperation Compose(TextOperation next)
    {
        if (TargetLength != next.BaseLength) throw new InvalidOperationException("The second operation must start where the first one ends.");
        var result = new TextOperation();
        var (i1, i2) = (0, 0);
        Component? a = Next(_components, ref i1), b = Next(next._components, ref i2);
        while (a is not null || b is not null)
        {
            if (a is { IsDelete: true }) { result.DeleteChars(a.Value.Delete); a = Next(_components, ref i1); continue; }
            if (b is { IsInsert: true }) { result.InsertText(b.Value.Insert!); b = Next(next._components, ref i2); continue; }
            if (a is null || b is null) throw new InvalidOperationException("The operations cannot be composed.");
            var (x, y) = (a.Value, b.Value);
            if (x.IsRetain && y.IsRetain)
            {
                var n = Math.Min(x.Retain, y.Retain);
                result.RetainChars(n);
                (a, b) = Advance(x, n, _components, ref i1, y, n, next._components, ref i2);
            }
            else if (x.IsInsert && y.IsDelete)
            {
                var n = Math.Min(x.Insert!.Length, y.Delete);
                (a, b) = Advance(x, n, _components, ref i1, y, n, next._components, ref i2);
            }
            else if (x.IsInsert && y.IsRetain)
            {
                var n = Math.Min(x.Insert!.Length, y.Retain);
                result.InsertText(x.Insert[..n]);
                (a, b) = Advance(x, n, _components, ref i1, y, n, next._components, ref i2);
            }
            else // retain then delete
            {
                var n = Math.Min(x.Retain, y.Delete);
                result.DeleteChars(n);
                (a, b) = Advance(x, n, _components, ref i1, y, n, next._components, ref i2);
            }
        }
        return result;
    }

    /// <summary>
    /// For two operations on the same document, (a', b') such that a then b' equals b then a'. When both
    /// insert at one place, <paramref name="a"/>'s text goes first (the server passes the operation it
    /// already applied as <paramref name="a"/>... see <see cref="DocumentService"/> for the order it uses).
    /// </summary>
    public static (TextOperation APrime, TextOperation BPrime) Transform(TextOperation a, TextOperation b)
    {
        if (a.BaseLength != b.BaseLength) throw new InvalidOperationException("Both operations must apply to the same document.");
        var (aPrime, bPrime) = (new TextOperation(), new TextOperation());
        var (i1, i2) = (0, 0);
        Component? x = Next(a._components, ref i1), y = Next(b._components, ref i2);
        while (x is not null || y is not null)
        {
            if (x is { IsInsert: true })
            {
                aPrime.InsertText(x.Value.Insert!);
                bPrime.RetainChars(x.Value.Insert!.Length);
                x = Next(a._components, ref i1);
                continue;
            }
            if (y is { IsInsert: true })
            {
                aPrime.RetainChars(y.Value.Insert!.Length);
                bPrime.InsertText(y.Value.Insert!);
                y = Next(b._components, ref i2);
                continue;
            }
            if (x is null || y is null) throw new InvalidOperationException("The operations cannot be transformed.");
            var (p, q) = (x.Value, y.Value);
            int n;
            if (p.IsRetain && q.IsRetain)
            {
                n = Math.Min(p.Retain, q.Retain);
                aPrime.RetainChars(n);
                bPrime.RetainChars(n);
            }
            else if (p.IsDelete && q.IsDelete) n = Math.Min(p.Delete, q.Delete);
            else if (p.IsDelete) { n = Math.Min(p.Delete, q.Retain); aPrime.DeleteChars(n); }
            else { n = Math.Min(p.Retain, q.Delete); bPrime.DeleteChars(n); }
            (x, y) = Advance(p, n, a._components, ref i1, q, n, b._components, ref i2);
        }
        return (aPrime, bPrime);
    }

    /// <summary>Moves a cursor position through the operation (ot.js's rule: an insert at the cursor pushes it along).</summary>
    public int TransformPosition(int position)
    {
        var (remaining, result) = (position, position);
        foreach (var c in _components)
        {
            if (c.IsRetain) remaining -= c.Retain;
            else if (c.IsInsert) result += c.Insert!.Length;
            else
            {
                result -= Math.Min(remaining, c.Delete);
                remaining -= c.Delete;
            }
            if (remaining < 0) break;
        }
        return Math.Max(0, result);
    }

    private static Component? Next(List<Component> components, ref int index) => index < components.Count ? components[index++] : null;

    /// <summary>Consumes <paramref name="n"/> characters of both current components, keeping what is left of either.</summary>
    private static (Component?, Component?) Advance(Component x, int nx, List<Component> xs, ref int ix, Component y, int ny, List<Component> ys, ref int iy) =>
        (Rest(x, nx) ?? Next(xs, ref ix), Rest(y, ny) ?? Next(ys, ref iy));

    private static Component? Rest(Component c, int n)
    {
        if (c.IsRetain) return c.Retain > n ? new Component(c.Retain - n, null, 0) : null;
        if (c.IsInsert) return c.Insert!.Length > n ? new Component(0, c.Insert[n..], 0) : null;
        return c.Delete > n ? new Component(0, null, c.Delete - n) : null;
    }

    public JsonElement ToJson() => JsonSerializer.SerializeToElement(_components.Select(c => c.IsRetain ? (object)c.Retain : c.IsInsert ? c.Insert! : -c.Delete).ToArray());

    /// <summary>Reads an operation this server stored (so known to be valid).</summary>
    public static TextOperation Parse(string stored)
    {
        using var json = JsonDocument.Parse(stored);
        return FromJson(json.RootElement) ?? throw new InvalidOperationException("A stored operation is not valid.");
    }

    /// <summary>Reads the wire form; null if it is not an array of non-zero integers and non-empty strings.</summary>
    public static TextOperation? FromJson(JsonElement json)
    {
        if (json.ValueKind != JsonValueKind.Array) return null;
        var operation = new TextOperation();
        foreach (var item in json.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String && item.GetString() is { Length: > 0 } text) operation.InsertText(text);
            else if (item.ValueKind == JsonValueKind.Number && item.TryGetInt32(out var n) && n != 0)
            {
                if (n > 0) operation.RetainChars(n);
                else operation.DeleteChars(-n);
            }
            else return null;
        }
        return operation;
    }
}
