using System.Net;
using System.Text;
using Intelagent.Server.Billing.Payments;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Stripe;

namespace Intelagent.Tests.Billing;

/// <summary>
/// The providers without a server. Stripe cannot be reached from here, so the Stripe adapter talks to
/// a handler that records the HTTP request Stripe.net builds and answers as Stripe's API would.
/// </summary>
public sealed class PaymentsProviderTests
{
    private static readonly ChargeRequest Request = new(1999, "USD", "pm_card_visa", "pay_01test", "pay_01test", "inv_01test", "org_01test", OffSession: false);

    private sealed class RecordingHandler(HttpStatusCode status, string json) : HttpMessageHandler
    {
        public HttpRequestMessage? Last { get; private set; }
        public string? Body { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Last = request;
            Body = request.Content is null ? null : WebUtility.UrlDecode(await request.Content.ReadAsStringAsync(cancellationToken));
            return new HttpResponseMessage(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        }
    }

    private static StripePaymentProvider Stripe(RecordingHandler handler) =>
        new(new StripeClient("sk_test_offline", httpClient: new SystemNetHttpClient(new HttpClient(handler), maxNetworkRetries: 0)), NullLogger<StripePaymentProvider>.Instance);

    [Fact]
    public void StripeCreateOptions_ShouldConfirmAtOnceWithTheTokenInMinorUnitsAndLinkOurIds()
    {
        var options = StripePaymentProvider.CreateOptions(Request with { OffSession = true });

        Assert.Equal(1999, options.Amount);
        Assert.Equal("usd", options.Currency);
        Assert.Equal("pm_card_visa", options.PaymentMethod);
        Assert.True(options.Confirm);
        Assert.True(options.OffSession);
        Assert.Equal("never", options.AutomaticPaymentMethods.AllowRedirects);
        Assert.Equal("pay_01test", options.Metadata["payment_id"]);
        Assert.Equal("inv_01test", options.Metadata["invoice_id"]);
        Assert.Equal("org_01test", options.Metadata["organization_id"]);
    }

    [Fact]
    public async Task StripeCharge_ShouldPostThePaymentIntentWithOurIdempotencyKey()
    {
        var handler = new RecordingHandler(HttpStatusCode.OK, """{"id":"pi_123","object":"payment_intent","amount":1999,"currency":"usd","status":"requires_action"}""");

        var charge = await Stripe(handler).ChargeAsync(Request, CancellationToken.None);

        Assert.Equal(new ProviderCharge("pi_123", ChargeStatus.RequiresAction), charge);
        Assert.Equal(HttpMethod.Post, handler.Last!.Method);
        Assert.Equal("/v1/payment_intents", handler.Last.RequestUri!.AbsolutePath);
        Assert.Equal("pay_01test", handler.Last.Headers.GetValues("Idempotency-Key").Single());
        Assert.Equal("Bearer sk_test_offline", handler.Last.Headers.Authorization!.ToString());
        Assert.Contains("amount=1999", handler.Body);
        Assert.Contains("currency=usd", handler.Body);
        Assert.Contains("payment_method=pm_card_visa", handler.Body);
        Assert.Contains("confirm=true", handler.Body);
        Assert.Contains("metadata[payment_id]=pay_01test", handler.Body);
    }

    [Fact]
    public async Task StripeCharge_WhenTheCardIsDeclined_ShouldFailWithStripesDeclineCode()
    {
        var handler = new RecordingHandler(HttpStatusCode.PaymentRequired,
            """{"error":{"type":"card_error","code":"card_declined","decline_code":"insufficient_funds","message":"Your card has insufficient funds.","payment_intent":{"id":"pi_456","object":"payment_intent","status":"requires_payment_method"}}}""");

        var charge = await Stripe(handler).ChargeAsync(Request, CancellationToken.None);

        Assert.Equal(ChargeStatus.Failed, charge.Status);
        Assert.Equal("insufficient_funds", charge.FailureCode);
        Assert.Equal("pi_456", charge.ProviderPaymentId);
    }

    [Fact]
    public async Task StripeSaveMethod_WithACardNumber_ShouldRefuseIt()
    {
        var handler = new RecordingHandler(HttpStatusCode.OK, "{}");

        var result = await Stripe(handler).SaveMethodAsync(new CardInput("4242424242424242", null, 12, 2030), CancellationToken.None);

        Assert.Equal("card_numbers_not_accepted", result.Error!.Code);
        Assert.Null(handler.Last);
    }

    [Fact]
    public async Task Sandbox_SameIdempotencyKeyConcurrently_ShouldChargeOnce()
    {
        var sandbox = new SandboxPaymentProvider(new FakeTimeProvider(DateTimeOffset.UtcNow));

        var charges = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => sandbox.ChargeAsync(Request, CancellationToken.None))));

        Assert.Single(sandbox.Charges);
        Assert.Single(charges.Select(c => c.ProviderPaymentId).Distinct());
    }

    [Theory]
    [InlineData("4242424242424242", ChargeStatus.Succeeded, null)]
    [InlineData("4000000000000002", ChargeStatus.Failed, "card_declined")]
    [InlineData("4000000000009995", ChargeStatus.Failed, "insufficient_funds")]
    [InlineData("4000002500003155", ChargeStatus.RequiresAction, null)]
    public async Task Sandbox_TestCards_ShouldBehaveAsStripes(string number, ChargeStatus status, string? code)
    {
        var sandbox = new SandboxPaymentProvider(new FakeTimeProvider(DateTimeOffset.UtcNow));
        var card = await sandbox.SaveMethodAsync(new CardInput(number, null, 12, DateTime.UtcNow.Year + 1), CancellationToken.None);

        Assert.DoesNotContain(number, card.Value!.Token);
        var charge = await sandbox.ChargeAsync(Request with { Token = card.Value.Token }, CancellationToken.None);

        Assert.Equal(status, charge.Status);
        Assert.Equal(code, charge.FailureCode);
    }

    [Fact]
    public async Task Sandbox_AuthenticationCardOffSession_ShouldFailAndABadNumberShouldBeRefused()
    {
        var sandbox = new SandboxPaymentProvider(new FakeTimeProvider(DateTimeOffset.UtcNow));

        var offSession = await sandbox.ChargeAsync(Request with { Token = "pm_card_authenticationRequired", OffSession = true }, CancellationToken.None);
        var invalid = await sandbox.SaveMethodAsync(new CardInput("4242424242424241", null, 12, 2099), CancellationToken.None);

        Assert.Equal("authentication_required", offSession.FailureCode);
        Assert.Equal("validation_failed", invalid.Error!.Code);
    }
}
