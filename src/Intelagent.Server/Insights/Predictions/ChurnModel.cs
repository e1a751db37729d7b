using Intelagent.Server.Billing.Metrics.Engine;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Intelagent.Server.Insights.Predictions;

public enum ChurnModelStatus
{
    /// <summary>Trained, and its held-out AUC is above 0.5 beyond its 95% interval: scores are shown.</summary>
    Trained,
    /// <summary>Too few examples of one class (or too few customers to hold out): no model, no scores.</summary>
    NotEnoughHistory,
    /// <summary>Trained, but the held-out AUC does not beat chance with confidence: no scores are claimed.</summary>
    NoSignal,
}

/// <summary>How the model did on customers it never saw, next to the best single feature on the same customers.</summary>
public sealed record ChurnEvaluation(
    double? Auc, double? AucLower95, double? BaselineAuc, string? BaselineFeature,
    int TrainingExamples, int TrainingPositives, int TestExamples, int TestPositives, int TestCustomers);

/// <summary>
/// Logistic regression (ML.NET's L-BFGS trainer) on standardized features. Linear on purpose: with
/// z-scored inputs each feature's weight times the customer's z-score is that feature's exact share
/// of the customer's log-odds against an average customer, which is the explanation we show
/// (docs/decisions/020). Trained on examples of 70% of the customers, evaluated on the other 30%.
/// </summary>
public sealed class ChurnModel
{
    public const double TestShare = 0.3;
    public const int MinimumTrainingPerClass = 10;
    public const int MinimumTestCustomersPerClass = 3;

    private readonly MLContext _ml;
    private readonly ITransformer? _model;
    private readonly double[] _means;
    private readonly double[] _deviations;
    private readonly double[] _weights;

    public ChurnModelStatus Status { get; }
    public ChurnEvaluation Evaluation { get; }
    public Month TrainedThrough { get; }

    private ChurnModel(MLContext ml, ITransformer? model, double[] means, double[] deviations, double[] weights, ChurnModelStatus status, ChurnEvaluation evaluation, Month through)
    {
        (_ml, _model, _means, _deviations, _weights, Status, Evaluation, TrainedThrough) = (ml, model, means, deviations, weights, status, evaluation, through);
    }

    public static ChurnModel Train(IReadOnlyList<ChurnExample> examples, Month through, int seed = 7)
    {
        var ml = new MLContext(seed);
        var testCustomers = examples.Select(e => e.OrganizationId).Distinct(StringComparer.Ordinal).Where(id => InTestSet(id, seed)).ToHashSet(StringComparer.Ordinal);
        var train = examples.Where(e => !testCustomers.Contains(e.OrganizationId)).ToList();
        var test = examples.Where(e => testCustomers.Contains(e.OrganizationId)).ToList();
        var positiveTestCustomers = test.Where(e => e.Canceled).Select(e => e.OrganizationId).Distinct(StringComparer.Ordinal).Count();
        var negativeTestCustomers = test.Where(e => !e.Canceled).Select(e => e.OrganizationId).Distinct(StringComparer.Ordinal).Count();
        var trainPositives = train.Count(e => e.Canceled);
        var evaluation = new ChurnEvaluation(null, null, null, null, train.Count, trainPositives, test.Count, test.Count(e => e.Canceled), testCustomers.Count);
        var width = ChurnFeatures.Names.Length;
        if (trainPositives < MinimumTrainingPerClass || train.Count - trainPositives < MinimumTrainingPerClass
            || positiveTestCustomers < MinimumTestCustomersPerClass || negativeTestCustomers < MinimumTestCustomersPerClass)
            return new ChurnModel(ml, null, new double[width], new double[width], new double[width], ChurnModelStatus.NotEnoughHistory, evaluation, through);

        var means = Enumerable.Range(0, width).Select(i => train.Average(e => e.Features[i])).ToArray();
        var deviations = Enumerable.Range(0, width).Select(i => StandardDeviation(train.Select(e => e.Features[i]), means[i])).ToArray();
        var trainer = ml.BinaryClassification.Trainers.LbfgsLogisticRegression(labelColumnName: "Label", featureColumnName: "Features");
        var fitted = trainer.Fit(ml.Data.LoadFromEnumerable(train.Select(e => Row(e.Features, e.Canceled, means, deviations))));
        var weights = fitted.Model.SubModel.Weights.Select(w => (double)w).ToArray();
        var model = new ChurnModel(ml, fitted, means, deviations, weights, ChurnModelStatus.Trained, evaluation, through);

        var labels = test.Select(e => e.Canceled).ToList();
        var auc = RocAuc.Compute(model.Probabilities(test.Select(e => e.Features).ToList()), labels);
        var (baselineFeature, baselineAuc) = Baseline(train, test, labels);
        var lower = auc - 1.96 * RocAuc.StandardError(auc ?? 0.5, positiveTestCustomers, negativeTestCustomers);
        var status = lower > 0.5 ? ChurnModelStatus.Trained : ChurnModelStatus.NoSignal;
        return new ChurnModel(ml, fitted, means, deviations, weights, status,
            evaluation with { Auc = auc, AucLower95 = lower, BaselineAuc = baselineAuc, BaselineFeature = baselineFeature }, through);
    }

    /// <summary>The model's probability of a cancel within the horizon, per row of features.</summary>
    public IReadOnlyList<double> Probabilities(IReadOnlyList<double[]> features)
    {
        if (_model is null) throw new InvalidOperationException("The churn model was not trained.");
        var scored = _model.Transform(_ml.Data.LoadFromEnumerable(features.Select(f => Row(f, false, _means, _deviations))));
        return _ml.Data.CreateEnumerable<ScoredRow>(scored, reuseRowObject: false).Select(r => (double)r.Probability).ToList();
    }

    /// <summary>Each feature's share of the log-odds against an average customer: weight x z-score, largest risk first.</summary>
    public IReadOnlyList<(string Feature, double Value, double Contribution)> Contributions(double[] features) =>
        Enumerable.Range(0, features.Length)
            .Select(i => (ChurnFeatures.Names[i], features[i], _weights[i] * Standardize(features[i], _means[i], _deviations[i])))
            .OrderByDescending(c => c.Item3).ToList();

    /// <summary>The best single feature (its direction and choice decided on the training customers), scored on the test customers.</summary>
    private static (string? Feature, double? Auc) Baseline(List<ChurnExample> train, List<ChurnExample> test, List<bool> testLabels)
    {
        var trainLabels = train.Select(e => e.Canceled).ToList();
        var best = (Index: -1, Sign: 1.0, Auc: double.MinValue);
        for (var i = 0; i < ChurnFeatures.Names.Length; i++)
        {
            var auc = RocAuc.Compute(train.Select(e => e.Features[i]).ToList(), trainLabels) ?? 0.5;
            var (sign, oriented) = auc >= 0.5 ? (1.0, auc) : (-1.0, 1 - auc);
            if (oriented > best.Auc) best = (i, sign, oriented);
        }
        return (ChurnFeatures.Names[best.Index], RocAuc.Compute(test.Select(e => best.Sign * e.Features[best.Index]).ToList(), testLabels));
    }

    /// <summary>A stable hash of the customer id decides its side of the split (never the row): no customer is on both sides.</summary>
    public static bool InTestSet(string organizationId, int seed)
    {
        var hash = 2166136261u ^ (uint)seed;
        foreach (var c in organizationId) hash = (hash ^ c) * 16777619u;
        return hash % 1000 < TestShare * 1000;
    }

    private static double StandardDeviation(IEnumerable<double> values, double mean)
    {
        var list = values.ToList();
        var variance = list.Sum(v => (v - mean) * (v - mean)) / Math.Max(1, list.Count - 1);
        return variance > 1e-12 ? Math.Sqrt(variance) : 1.0;
    }

    private static double Standardize(double value, double mean, double deviation) => (value - mean) / deviation;

    private static InputRow Row(double[] features, bool label, double[] means, double[] deviations) =>
        new() { Label = label, Features = features.Select((v, i) => (float)Standardize(v, means[i], deviations[i])).ToArray() };

    internal sealed class InputRow
    {
        public bool Label { get; set; }

        [VectorType(6)]
        public float[] Features { get; set; } = [];
    }

    internal sealed class ScoredRow
    {
        public float Probability { get; set; }
    }
}
