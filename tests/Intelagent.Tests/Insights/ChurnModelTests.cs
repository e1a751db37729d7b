using Intelagent.Server.Billing.Metrics.Engine;
using Intelagent.Server.Insights.Demo;
using Intelagent.Server.Insights.Predictions;

namespace Intelagent.Tests.Insights;

/// <summary>The churn model's evaluation on generated histories, without a database (docs/decisions/020).</summary>
public sealed class ChurnModelTests
{
    private static readonly Month Last = Month.Of(2026, 10);

    private static ChurnModel TrainOn(int customers, int months, int seed, bool drift)
    {
        var history = CustomerHistoryGenerator.Generate(new CustomerHistoryOptions(customers, months, Last, seed, drift)).Select(c => c.Timeline).ToList();
        return ChurnModel.Train(ChurnFeatures.TrainingExamples(history, Last), Last, seed);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Train_WhenCustomersDriftBeforeTheyCancel_ShouldBeatTheSingleFeatureBaselineOnHeldOutCustomers(int seed)
    {
        var model = TrainOn(400, 18, seed, drift: true);

        Assert.Equal(ChurnModelStatus.Trained, model.Status);
        Assert.True(model.Evaluation.Auc > 0.75, $"AUC {model.Evaluation.Auc}");
        Assert.True(model.Evaluation.Auc > model.Evaluation.BaselineAuc, $"AUC {model.Evaluation.Auc} vs baseline {model.Evaluation.BaselineAuc} ({model.Evaluation.BaselineFeature})");
        Assert.True(model.Evaluation.AucLower95 > 0.5);
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    [InlineData(14)]
    [InlineData(15)]
    public void Train_WhenCancelsAreUnrelatedToAnyFeature_ShouldClaimNoSignal(int seed)
    {
        var model = TrainOn(300, 18, seed, drift: false);

        Assert.Equal(ChurnModelStatus.NoSignal, model.Status);
        Assert.True(model.Evaluation.Auc is > 0.3 and < 0.7, $"AUC {model.Evaluation.Auc}");
    }

    [Fact]
    public void Train_WhenTooFewCustomersCanceled_ShouldSayNotEnoughHistoryAndTrainNothing()
    {
        var model = TrainOn(6, 6, 5, drift: true);

        Assert.Equal(ChurnModelStatus.NotEnoughHistory, model.Status);
        Assert.Null(model.Evaluation.Auc);
        Assert.Throws<InvalidOperationException>(() => model.Probabilities([new double[ChurnFeatures.Names.Length]]));
    }

    [Fact]
    public void Split_WhenExamplesAreDivided_ShouldKeepEveryCustomerOnOneSide()
    {
        var history = CustomerHistoryGenerator.Generate(new CustomerHistoryOptions(200, 12, Last, 3)).Select(c => c.Timeline).ToList();
        var examples = ChurnFeatures.TrainingExamples(history, Last);
        var sides = examples.GroupBy(e => e.OrganizationId).Select(g => g.Select(e => ChurnModel.InTestSet(e.OrganizationId, 3)).Distinct().Count());

        Assert.All(sides, count => Assert.Equal(1, count));
        var share = history.Count(c => ChurnModel.InTestSet(c.OrganizationId, 3)) / (double)history.Count;
        Assert.InRange(share, 0.2, 0.4);
    }

    [Fact]
    public void Generate_WhenCalledTwiceWithTheSameSeed_ShouldProduceTheSameHistory()
    {
        var options = new CustomerHistoryOptions(20, 12, Last, 42);
        var first = CustomerHistoryGenerator.Generate(options);
        var second = CustomerHistoryGenerator.Generate(options);

        Assert.Equal(first.Select(c => c.Timeline.Months.Sum(m => m.ApiCalls)), second.Select(c => c.Timeline.Months.Sum(m => m.ApiCalls)));
        Assert.Equal(first.Select(c => c.Timeline.FirstMonth), second.Select(c => c.Timeline.FirstMonth));
    }

    [Fact]
    public void Contributions_WhenACustomerDrifts_ShouldNameItsRiskFactorsFirst()
    {
        var model = TrainOn(400, 18, 1, drift: true);
        double[] drifting = [-1.5, 0.2, 3, 1.0, 0.8, 10];

        var top = model.Contributions(drifting).Take(3).Select(c => c.Feature).ToList();

        Assert.Contains("failed_payments", top);
        Assert.True(model.Probabilities([drifting])[0] > 0.5);
    }
}
