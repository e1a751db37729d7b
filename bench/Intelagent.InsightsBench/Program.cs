using System.Diagnostics;
using System.Globalization;
using Intelagent.Server.Billing.Metrics.Engine;
using Intelagent.Server.Insights.Demo;
using Intelagent.Server.Insights.Predictions;

// The insights benchmark (bench/insights.sh). Section 1, predictions: on generated customer histories
// with planted churn drift, the churn model's held-out AUC against the best single feature's, and the
// revenue forecast's rolling-origin backtest error against seasonal-naive, each as a ratio, per seed.
// Usage: --customers N --months N --seeds N
var options = args.Select((a, i) => (a, i)).Where(p => p.a.StartsWith("--", StringComparison.Ordinal))
    .ToDictionary(p => p.a[2..], p => p.i + 1 < args.Length ? args[p.i + 1] : "");
int Option(string name, int fallback) => options.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
var customers = Option("customers", 2000);
var months = Option("months", 24);
var seeds = Option("seeds", 3);
var last = Month.Of(2026, 10);
var invariant = CultureInfo.InvariantCulture;

Console.WriteLine($"== predictions: {customers:N0} customers x {months} months through {last}, seeds 1..{seeds} ==");
Console.WriteLine("seed  examples  test_pos  model_auc  auc_low95  baseline_auc  baseline_feature    auc_ratio  | mape    naive_mape  mape_ratio  mae_ratio  | train_ms");
var aucRatios = new List<double>();
var mapeRatios = new List<double>();
for (var seed = 1; seed <= seeds; seed++)
{
    var generated = CustomerHistoryGenerator.Generate(new CustomerHistoryOptions(customers, months, last, seed));
    var history = generated.Select(c => c.Timeline).ToList();
    var watch = Stopwatch.StartNew();
    var model = ChurnModel.Train(ChurnFeatures.TrainingExamples(history, last), last, seed);
    var trainMs = watch.Elapsed.TotalMilliseconds;
    var e = model.Evaluation;
    var aucRatio = e.Auc is { } auc && e.BaselineAuc is > 0 and var baseline ? auc / baseline : double.NaN;
    if (!double.IsNaN(aucRatio)) aucRatios.Add(aucRatio);

    var first = new Month(last.Index - months + 1);
    var mrr = Enumerable.Range(0, months).Select(i => history.Sum(c => c.At(new Month(first.Index + i))?.Mrr ?? 0m)).ToList();
    var backtest = RevenueBacktest.Run(mrr);
    if (backtest?.MapeRatio is { } ratio) mapeRatios.Add(ratio);
    Console.WriteLine(string.Create(invariant,
        $"{seed,4}  {e.TrainingExamples + e.TestExamples,8}  {e.TestPositives,8}  {e.Auc,9:0.000}  {e.AucLower95,9:0.000}  {e.BaselineAuc,12:0.000}  {e.BaselineFeature,-18}  {aucRatio,9:0.000}  | " +
        $"{backtest?.Mape,6:0.0000}  {backtest?.SeasonalNaiveMape,10:0.0000}  {backtest?.MapeRatio,10:0.000}  {backtest?.MaeRatio,9:0.000}  | {trainMs,8:0}"));
}
Console.WriteLine(string.Create(invariant, $"churn model AUC / single-feature baseline AUC: mean {Mean(aucRatios):0.000} over {aucRatios.Count} seeds (above 1: the model ranks churners better)"));
Console.WriteLine(string.Create(invariant, $"forecast MAPE / seasonal-naive MAPE:        mean {Mean(mapeRatios):0.000} over {mapeRatios.Count} seeds (below 1: the forecast misses less)"));
Console.WriteLine();
// Section 2, the question parser's latency over the test question set (202 phrasings), measured per
// call after a warm-up. Its same-run baseline is the floor any parser pays: lower-casing the question
// and splitting it into words. The goal is p99 under 20 ms.
var questionFile = Path.Combine(AppContext.BaseDirectory, "QueryQuestions.json");
using var questionJson = System.Text.Json.JsonDocument.Parse(File.ReadAllText(questionFile));
var questions = questionJson.RootElement.GetProperty("questions").EnumerateArray().Select(q => q.GetProperty("q").GetString()!).ToArray();
var rounds = Option("parser-rounds", 50);
var now = DateTimeOffset.Parse("2026-11-26T13:00:00Z", invariant);
foreach (var q in questions) Intelagent.Server.Insights.Query.QuestionParser.Parse(q, now, TimeZoneInfo.Utc);
var parse = new List<double>(questions.Length * rounds);
var split = new List<double>(questions.Length * rounds);
var understood = 0;
for (var round = 0; round < rounds; round++)
{
    foreach (var q in questions)
    {
        var start = Stopwatch.GetTimestamp();
        var result = Intelagent.Server.Insights.Query.QuestionParser.Parse(q, now, TimeZoneInfo.Utc);
        parse.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        if (round == 0 && result.Understood) understood++;
        start = Stopwatch.GetTimestamp();
        var words = q.ToLowerInvariant().Split([' ', ',', '?', '.', '!'], StringSplitOptions.RemoveEmptyEntries);
        split.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        GC.KeepAlive(words);
    }
}
double Quantile(List<double> values, double q) { var sorted = values.Order().ToList(); return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)]; }
Console.WriteLine($"== question parser: {questions.Length} questions x {rounds} rounds ({understood} understood) ==");
Console.WriteLine(string.Create(invariant, $"parser       p50 {Quantile(parse, 0.5),8:0.0000} ms  p99 {Quantile(parse, 0.99),8:0.0000} ms  max {parse.Max(),8:0.000} ms"));
Console.WriteLine(string.Create(invariant, $"split words  p50 {Quantile(split, 0.5),8:0.0000} ms  p99 {Quantile(split, 0.99),8:0.0000} ms"));
Console.WriteLine(string.Create(invariant, $"parser p99 / split-words p99: {Quantile(parse, 0.99) / Quantile(split, 0.99):0.0}x; parser p99 / 20 ms goal: {Quantile(parse, 0.99) / 20:0.0000}"));
return 0;

static double Mean(List<double> values) => values.Count == 0 ? double.NaN : values.Average();
