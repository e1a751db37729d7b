using System.Net;
using System.Text;
using Intelagent.Server.Security.Sms;
using Microsoft.Extensions.Logging.Abstractions;

namespace Intelagent.Tests.Security;

/// <summary>The Twilio adapter, through the official SDK over a handler that stands in for api.twilio.com.</summary>
public sealed class SmsTwilioSenderTests
{
    private sealed class Recorder(HttpStatusCode status, string json) : HttpMessageHandler
    {
        public HttpRequestMessage? Request { get; private set; }
        public string? Form { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Request = request;
            Form = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
            return new HttpResponseMessage(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        }
    }

    private sealed class Factory(HttpMessageHandler handler) : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new(handler, disposeHandler: false);
    }

    private static readonly TwilioSettings Settings = new("AC0123456789abcdef0123456789abcdef", "auth-token-of-the-test", "+15005550006");

    [Fact]
    public async Task Send_ShouldPostTheMessageFormToTwilioWithBasicAuthentication()
    {
        var recorder = new Recorder(HttpStatusCode.Created, """{"sid":"SM0123456789abcdef0123456789abcdef","status":"queued","to":"+14155550123"}""");
        var sender = new TwilioSmsSender(Settings, new Factory(recorder), NullLogger<TwilioSmsSender>.Instance);

        var result = await sender.SendAsync("+14155550123", "Your Intelagent code is 123456.", "sign_in", CancellationToken.None);

        Assert.True(result.Sent);
        Assert.Equal("SM0123456789abcdef0123456789abcdef", result.ProviderMessageId);
        Assert.Equal(HttpMethod.Post, recorder.Request!.Method);
        Assert.Equal($"https://api.twilio.com/2010-04-01/Accounts/{Settings.AccountSid}/Messages.json", recorder.Request.RequestUri!.GetLeftPart(UriPartial.Path));
        Assert.Equal("Basic", recorder.Request.Headers.Authorization!.Scheme);
        Assert.Equal($"{Settings.AccountSid}:{Settings.AuthToken}", Encoding.UTF8.GetString(Convert.FromBase64String(recorder.Request.Headers.Authorization.Parameter!)));
        var form = recorder.Form!.Split('&').Select(p => p.Split('=', 2)).ToDictionary(p => Uri.UnescapeDataString(p[0]), p => Uri.UnescapeDataString(p[1].Replace('+', ' ')));
        Assert.Equal("+14155550123", form["To"]);
        Assert.Equal("+15005550006", form["From"]);
        Assert.Equal("Your Intelagent code is 123456.", form["Body"]);
    }

    [Fact]
    public async Task Send_WhenTwilioRefuses_ShouldReportNotSent()
    {
        var recorder = new Recorder(HttpStatusCode.BadRequest, """{"code":21211,"message":"The 'To' number is not a valid phone number.","more_info":"https://www.twilio.com/docs/errors/21211","status":400}""");
        var sender = new TwilioSmsSender(Settings, new Factory(recorder), NullLogger<TwilioSmsSender>.Instance);

        var result = await sender.SendAsync("+1", "Your code", "enrol", CancellationToken.None);

        Assert.False(result.Sent);
        Assert.Contains("not a valid phone number", result.Error);
    }
}
