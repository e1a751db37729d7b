using Twilio.Clients;
using Twilio.Exceptions;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Types;

namespace Intelagent.Server.Security.Sms;

/// <summary>
/// Sends through Twilio's Messages API with the official SDK. The SDK's client is built over an
/// <see cref="System.Net.Http.HttpClient"/> from the factory (named <see cref="HttpClientName"/>),
/// so tests can see the request it posts without any network.
/// </summary>
public sealed class TwilioSmsSender(TwilioSettings settings, IHttpClientFactory httpClients, ILogger<TwilioSmsSender> logger) : ISmsSender
{
    public const string HttpClientName = "twilio";

    public string Name => "twilio";

    public async Task<SmsSendResult> SendAsync(string to, string body, string purpose, CancellationToken cancellationToken)
    {
        var client = new TwilioRestClient(settings.AccountSid, settings.AuthToken, settings.AccountSid, region: null,
            httpClient: new Twilio.Http.SystemNetHttpClient(httpClients.CreateClient(HttpClientName)));
        try
        {
            var message = await MessageResource.CreateAsync(new CreateMessageOptions(new PhoneNumber(to)) { From = new PhoneNumber(settings.From), Body = body }, client);
            logger.LogInformation("Sent a {Purpose} text message through Twilio ({Sid})", purpose, message.Sid);
            return new SmsSendResult(true, message.Sid, null);
        }
        catch (Exception exception) when (exception is TwilioException or HttpRequestException or TaskCanceledException)
        {
            // The destination and body stay out of the log: the body holds a code.
            logger.LogWarning(exception, "Twilio refused or could not take a {Purpose} text message", purpose);
            return new SmsSendResult(false, null, exception.Message);
        }
    }
}
