using System.Text;
using System.Text.RegularExpressions;

namespace Intelagent.Server.Insights.Query;

/// <summary>
/// The lexical side of parsing: names of customers lifted from the raw text (quoted, an
/// <c>org_</c> id, or the capitalised words after "for customer"), lower-case tokens, and typo
/// correction towards the vocabulary by edit distance (Damerau: a swap of two letters is one edit).
/// </summary>
public static partial class QuestionText
{
    [GeneratedRegex("[\"“”]([^\"“”]{1,100})[\"“”]|\\b(org_[A-Za-z0-9]{4,40})\\b|\\b(?:customer|organization|organisation|org|account|client|tenant)\\s+(?:named\\s+|called\\s+)?((?:[A-Z][\\w&.-]*)(?:\\s+[A-Z][\\w&.-]*)*)", RegexOptions.CultureInvariant)]
    private static partial Regex CustomerPattern();

    /// <summary>Removes a named customer from the question and returns it, or null.</summary>
    public static string? ExtractCustomer(ref string question)
    {
        var match = CustomerPattern().Match(question);
        if (!match.Success) return null;
        var name = (match.Groups[1].Success ? match.Groups[1] : match.Groups[2].Success ? match.Groups[2] : match.Groups[3]).Value.Trim();
        // The keyword itself stays: "for customer X" still says the question is about customers.
        var keep = match.Groups[3].Success ? match.Value[..(match.Groups[3].Index - match.Index)] : "";
        question = string.Concat(question.AsSpan(0, match.Index), keep, " ", question.AsSpan(match.Index + match.Length));
        return name.Length == 0 ? null : name;
    }

    public static string[] Tokenize(string question)
    {
        var builder = new StringBuilder(question.Length);
        foreach (var c in question)
        {
            if (c is '\'' or '’') continue; // "what's" -> "whats", "customers'" -> "customers"
            builder.Append(char.IsLetterOrDigit(c) ? char.ToLowerInvariant(c) : ' ');
        }
        return builder.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>Replaces unknown words with the closest vocabulary word when it is close enough; returns what was changed.</summary>
    public static List<string> Correct(string[] tokens)
    {
        var corrections = new List<string>();
        for (var i = 0; i < tokens.Length; i++)
        {
            var token = tokens[i];
            if (token.Length < 4 || Vocabulary.Words.Contains(token) || QuestionCues.StopWords.Contains(token) || char.IsDigit(token[0])) continue;
            var allowed = token.Length >= 8 ? 2 : 1;
            string? best = null;
            var bestDistance = allowed + 1;
            foreach (var word in Vocabulary.Words)
            {
                if (Math.Abs(word.Length - token.Length) > allowed || word.Length < 3) continue;
                var distance = Distance(token, word, bestDistance);
                // Ties go to the word with the same first letter: people mistype the middle of words more than the start.
                if (distance < bestDistance || (distance == bestDistance && best is not null && best[0] != token[0] && word[0] == token[0]))
                {
                    best = word;
                    bestDistance = distance;
                }
            }
            if (best is null || bestDistance > allowed) continue;
            corrections.Add($"{token} → {best}");
            tokens[i] = best;
        }
        return corrections;
    }

    /// <summary>Optimal string alignment distance, giving up once every path exceeds <paramref name="limit"/>.</summary>
    public static int Distance(string a, string b, int limit)
    {
        Span<int> previous2 = stackalloc int[b.Length + 1];
        Span<int> previous = stackalloc int[b.Length + 1];
        Span<int> current = stackalloc int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            var rowMinimum = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                var value = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) value = Math.Min(value, previous2[j - 2] + 1);
                current[j] = value;
                rowMinimum = Math.Min(rowMinimum, value);
            }
            if (rowMinimum > limit) return limit + 1;
            var recycled = previous2;
            previous2 = previous;
            previous = current;
            current = recycled;
        }
        return previous[b.Length];
    }
}
