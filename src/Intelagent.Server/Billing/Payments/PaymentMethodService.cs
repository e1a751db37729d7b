using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Ids;
using Intelagent.Server.Platform.Problems;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Billing.Payments;

/// <summary>An organization's saved payment methods: provider tokens, one of them the default that dunning charges.</summary>
public sealed class PaymentMethodService(AppDb db, IPaymentProvider provider)
{
    public const int MaxMethods = 20;

    public async Task<IReadOnlyList<PaymentMethodResponse>> ListAsync(CancellationToken cancellationToken) =>
        (await db.Set<PaymentMethod>().AsNoTracking().OrderBy(m => m.Id).ToListAsync(cancellationToken)).Select(PaymentMethodResponse.From).ToList();

    public async Task<Result<PaymentMethod>> AddAsync(AddPaymentMethodRequest request, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.CardNumber) == string.IsNullOrWhiteSpace(request.Token))
            return Error.Validation("cardNumber", "give exactly one of cardNumber or token.");
        if (request.Token is { Length: > 255 }) return Error.Validation("token", "must be at most 255 characters.");
        if (request.CardNumber is { Length: > 30 }) return Error.Validation("cardNumber", "is not a valid card number.");
        var organizationId = db.Request.OrganizationId!;
        var existing = await db.Set<PaymentMethod>().ToListAsync(cancellationToken);
        if (existing.Count >= MaxMethods) return Error.Conflict("too_many_payment_methods", $"An organization keeps at most {MaxMethods} payment methods; remove one first.");

        var card = await provider.SaveMethodAsync(new CardInput(request.CardNumber, request.Token, request.ExpMonth, request.ExpYear), cancellationToken);
        if (!card.IsSuccess) return card.Error!;
        var makeDefault = request.MakeDefault ?? true;
        if (makeDefault) foreach (var other in existing.Where(m => m.IsDefault)) other.IsDefault = false;
        var method = new PaymentMethod
        {
            Id = Id.New(IdPrefix.PaymentMethod, db.Clock),
            OrganizationId = organizationId,
            Provider = provider.Name,
            Token = card.Value!.Token,
            Brand = card.Value.Brand,
            Last4 = card.Value.Last4,
            ExpMonth = card.Value.ExpMonth,
            ExpYear = card.Value.ExpYear,
            IsDefault = makeDefault || existing.Count == 0,
            CreatedAt = db.Clock.GetUtcNow(),
        };
        db.Set<PaymentMethod>().Add(method);
        await db.SaveChangesAsync(cancellationToken);
        return method;
    }

    public async Task<Result<bool>> RemoveAsync(string id, CancellationToken cancellationToken)
    {
        var method = await db.Set<PaymentMethod>().FirstOrDefaultAsync(m => m.Id == id, cancellationToken);
        if (method is null) return Error.NotFound("payment method");
        db.Set<PaymentMethod>().Remove(method);
        if (method.IsDefault)
        {
            // The newest remaining method becomes the default, so dunning still has one to charge.
            var next = await db.Set<PaymentMethod>().Where(m => m.Id != id).OrderByDescending(m => m.Id).FirstOrDefaultAsync(cancellationToken);
            if (next is not null) next.IsDefault = true;
        }
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    public Task<PaymentMethod?> FindAsync(string id, CancellationToken cancellationToken) =>
        db.Set<PaymentMethod>().AsNoTracking().FirstOrDefaultAsync(m => m.Id == id, cancellationToken);

    public Task<PaymentMethod?> DefaultAsync(CancellationToken cancellationToken) =>
        db.Set<PaymentMethod>().AsNoTracking().Where(m => m.IsDefault && m.Provider == provider.Name).FirstOrDefaultAsync(cancellationToken);
}
