using Intelagent.Server.Billing.Kernel;
using Intelagent.Server.Billing.Metrics;
using Intelagent.Server.Billing.Metrics.Engine;
using Intelagent.Server.Billing.Payments;
using Intelagent.Server.Billing.Subscriptions;
using Intelagent.Server.Identity;
using Intelagent.Server.Insights.Kernel;
using Intelagent.Server.Insights.Predictions;
using Intelagent.Server.Organizations;
using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Ids;
using Intelagent.Server.Usage;

namespace Intelagent.Server.Insights.Demo;

/// <summary>
/// Writes generated customer histories into the platform's own tables, the way the modules would
/// have written them: organizations with members, a platform subscription whose every change goes
/// through <see cref="SubscriptionLedger"/>, daily API-call roll-ups, sign-in sessions, monthly
/// invoices with failed and succeeded payments, daily chatbot-ticket roll-ups, and the company's
/// cost entries (a compute cost per customer from its API calls, shared storage and bandwidth).
/// Nothing is saved here: the caller saves once.
/// </summary>
public sealed class CustomerHistoryWriter(AppDb db, TimeProvider clock)
{
    /// <summary>Compute cost of one API call: a normal customer costs a few percent of what it pays, the planted heavy one more than it pays.</summary>
    public const decimal ComputeCostPerCall = 0.001m;

    /// <summary>Writes every customer; returns the organization id each generated customer got, by generated id.</summary>
    public Dictionary<string, string> Write(IReadOnlyList<GeneratedCustomer> customers, int seed)
    {
        var now = clock.GetUtcNow();
        var random = new Random(seed);
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var customer in customers)
            ids[customer.Timeline.OrganizationId] = WriteCustomer(customer, random, now);
        WriteSharedCosts(customers, random);
        return ids;
    }

    private string WriteCustomer(GeneratedCustomer generated, Random random, DateTimeOffset now)
    {
        var timeline = generated.Timeline;
        var tier = Enum.Parse<SubscriptionTier>(generated.Tier, ignoreCase: true);
        var since = timeline.FirstMonth.Start.AddDays(2);
        var stillPaying = timeline.Months[^1].Mrr > 0m;
        var organization = new Organization
        {
            Id = Id.New(IdPrefix.Organization, clock),
            Name = timeline.Name,
            SubscriptionTier = stillPaying ? tier : SubscriptionTier.Free,
            CreatedAt = since,
            UpdatedAt = now,
        };
        db.Organizations.Add(organization);
        db.Set<FinancialCustomer>().Add(new FinancialCustomer { OrganizationId = organization.Id, Segment = timeline.Segment, Country = "US", CreatedAt = since });
        var slug = new string(timeline.Name.ToLowerInvariant().Where(char.IsLetterOrDigit).ToArray()) + organization.Id[^6..].ToLowerInvariant();
        var users = Enumerable.Range(0, Math.Max(1, timeline.Months.Max(m => m.Seats))).Select(i => AddMember(organization.Id, slug, i, since)).ToList();

        var subscription = new Subscription
        {
            Id = Id.New(IdPrefix.Subscription, clock),
            OrganizationId = organization.Id,
            PlanId = PlanOf(tier),
            Product = Products.Platform,
            Tier = tier,
            Interval = BillingInterval.Month,
            UnitAmount = generated.PricePerSeat,
            Currency = timeline.Currency,
            Quantity = timeline.Months[0].Seats,
            Status = SubscriptionStatus.Active,
            CurrentPeriodStart = since,
            CurrentPeriodEnd = since.AddMonths(1),
            CreatedAt = since,
            UpdatedAt = since,
        };
        db.Set<Subscription>().Add(subscription);
        SubscriptionLedger.Append(db, subscription, SubscriptionEventType.Start, since, clock);
        for (var m = 0; m < timeline.Months.Count; m++)
        {
            var month = new Month(timeline.FirstMonth.Index + m);
            var activity = timeline.Months[m];
            if (activity.Mrr <= 0m)
            {
                (subscription.Status, subscription.CanceledAt) = (SubscriptionStatus.Canceled, month.Start.AddDays(9));
                SubscriptionLedger.Append(db, subscription, SubscriptionEventType.Cancel, month.Start.AddDays(9), clock);
                break;
            }
            if (m > 0 && activity.Seats != subscription.Quantity)
            {
                subscription.Quantity = activity.Seats;
                SubscriptionLedger.Append(db, subscription, SubscriptionEventType.Change, month.Start.AddDays(5), clock);
            }
            (subscription.CurrentPeriodStart, subscription.CurrentPeriodEnd) = (month.Start, month.End);
            WriteUsage(organization.Id, month, activity.ApiCalls, now, random);
            WriteSignIns(users, month, activity, now, random);
            WriteInvoice(organization.Id, subscription, month, activity, now);
            WriteTickets(organization.Id, month, activity.Tickets, now);
            db.Set<CostEntry>().Add(Cost(month, "compute", Products.Platform, organization.Id, activity.ApiCalls * ComputeCostPerCall));
        }
        if (stillPaying)
        {
            // The current month continues at the last closed month's pace, so usage forecasts have recent days.
            var current = Month.Of(now);
            if (current.Index == timeline.LastMonth.Index + 1) WriteUsage(organization.Id, current, timeline.Months[^1].ApiCalls, now, random);
            (subscription.CurrentPeriodStart, subscription.CurrentPeriodEnd) = (current.Start, current.End);
        }
        return organization.Id;
    }

    private static string PlanOf(SubscriptionTier tier) => SeedPlans.All.First(p => p.Product == Products.Platform && p.Tier == tier && p.Interval == BillingInterval.Month).Id;

    private User AddMember(string organizationId, string slug, int index, DateTimeOffset since)
    {
        var email = $"user{index + 1}@{slug}.example";
        var user = new User { Id = Id.New(IdPrefix.User, clock), Email = email, NormalizedEmail = User.Normalize(email), Name = $"User {index + 1}", CreatedAt = since, PasswordChangedAt = since, EmailVerifiedAt = since };
        db.Users.Add(user);
        db.Memberships.Add(new Membership { Id = Id.New(IdPrefix.Membership, clock), OrganizationId = organizationId, UserId = user.Id, Role = index == 0 ? Role.Owner : Role.Member, CreatedAt = since });
        return user;
    }

    /// <summary>Spreads a month's calls over its days (weekends at half volume), up to yesterday.</summary>
    private void WriteUsage(string organizationId, Month month, long calls, DateTimeOffset now, Random random)
    {
        var days = DateTime.DaysInMonth(month.Year, month.Number);
        var weights = Enumerable.Range(0, days).Select(d => (month.Start.AddDays(d).DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? 0.5 : 1.0) * (0.85 + 0.3 * random.NextDouble())).ToArray();
        var total = weights.Sum();
        var written = 0L;
        for (var d = 0; d < days; d++)
        {
            var day = month.Start.AddDays(d);
            if (day.AddDays(1) > now) break;
            // The last day takes the rounding remainder, so a whole month adds up to exactly its calls.
            var value = d == days - 1 ? calls - written : (long)(calls * weights[d] / total);
            written += value;
            db.Set<UsageRollup>().Add(new UsageRollup
            {
                OrganizationId = organizationId,
                Metric = UsageMetric.ApiCalls,
                Granularity = UsageGranularity.Day,
                PeriodStart = day,
                Value = value,
            });
        }
    }

    private void WriteSignIns(List<User> users, Month month, MonthActivity activity, DateTimeOffset now, Random random)
    {
        for (var s = 0; s < activity.SignIns && activity.ActiveUsers > 0; s++)
        {
            var at = month.Start.AddHours(random.Next(DateTime.DaysInMonth(month.Year, month.Number) * 24));
            if (at >= now) continue;
            var user = users[s % Math.Min(activity.ActiveUsers, users.Count)];
            db.Set<Session>().Add(new Session { Id = Id.New(IdPrefix.Session, clock), UserId = user.Id, CreatedAt = at, ExpiresAt = at.AddHours(8), RevokedAt = at.AddHours(8), LastActivityAt = at.AddHours(1) });
        }
    }

    /// <summary>One invoice per month: the failed attempts first, then the payment that collected it.</summary>
    private void WriteInvoice(string organizationId, Subscription subscription, Month month, MonthActivity activity, DateTimeOffset now)
    {
        var invoiceId = Id.New(IdPrefix.Invoice, clock);
        var issued = month.Start.AddDays(1);
        var paidAt = issued.AddDays(1 + 3 * activity.FailedPayments);
        var paid = activity.SucceededPayments > 0 && paidAt < now;
        var invoice = new Invoice
        {
            Id = invoiceId,
            OrganizationId = organizationId,
            Number = $"DEMO-{organizationId[^8..]}-{month.Year:D4}{month.Number:D2}",
            Status = paid ? InvoiceStatus.Paid : InvoiceStatus.Open,
            Currency = subscription.Currency,
            SubscriptionId = subscription.Id,
            PeriodStart = month.Start,
            PeriodEnd = month.End,
            Subtotal = activity.Mrr,
            Total = activity.Mrr,
            AmountPaid = paid ? activity.Mrr : 0m,
            CreatedAt = issued,
            IssuedAt = issued,
            DueAt = issued.AddDays(14),
            PaidAt = paid ? paidAt : null,
        };
        invoice.Lines.Add(new InvoiceLine
        {
            Id = Id.New(IdPrefix.InvoiceLine, clock),
            InvoiceId = invoiceId,
            Position = 1,
            Kind = InvoiceLineKind.Subscription,
            Description = $"Platform {subscription.Tier} x {activity.Seats} seats",
            Quantity = activity.Seats,
            UnitAmount = subscription.UnitAmount,
            Amount = activity.Mrr,
            PeriodStart = month.Start,
            PeriodEnd = month.End,
        });
        db.Set<Invoice>().Add(invoice);
        for (var attempt = 1; attempt <= activity.FailedPayments + (paid ? 1 : 0); attempt++)
        {
            var failed = attempt <= activity.FailedPayments;
            var at = issued.AddDays(3 * (attempt - 1));
            if (at >= now) break;
            db.Set<Payment>().Add(new Payment
            {
                Id = Id.New(IdPrefix.Payment, clock),
                OrganizationId = organizationId,
                InvoiceId = invoiceId,
                Amount = activity.Mrr,
                Currency = subscription.Currency,
                Status = failed ? PaymentStatus.Failed : PaymentStatus.Succeeded,
                FailureCode = failed ? "card_declined" : null,
                Provider = "sandbox",
                IdempotencyKey = $"demo-{invoiceId}-{attempt}",
                Attempt = attempt,
                CreatedAt = at,
                UpdatedAt = at,
            });
        }
    }

    /// <summary>Chatbot tickets as the product-event roll-up keeps them: one row per week's first day.</summary>
    private void WriteTickets(string organizationId, Month month, int tickets, DateTimeOffset now)
    {
        for (var week = 0; week < 4; week++)
        {
            var count = tickets / 4 + (week < tickets % 4 ? 1 : 0);
            var day = month.Start.AddDays(7 * week);
            if (count == 0 || day >= now) continue;
            db.Set<ProductEventRollup>().Add(new ProductEventRollup { OrganizationId = organizationId, Day = day, Type = ProductEventTypes.ChatbotTicketCreated, Dimension = "", Count = count });
        }
    }

    /// <summary>Storage and bandwidth grow with the customer base; chatbot compute is flat.</summary>
    private void WriteSharedCosts(IReadOnlyList<GeneratedCustomer> customers, Random random)
    {
        var first = customers.Min(c => c.Timeline.FirstMonth.Index);
        var last = customers.Max(c => c.Timeline.LastMonth.Index);
        for (var index = first; index <= last; index++)
        {
            var month = new Month(index);
            var paying = customers.Count(c => c.Timeline.At(month) is { Mrr: > 0m });
            db.Set<CostEntry>().Add(Cost(month, "storage", Products.Platform, null, Math.Round(40m + 6m * paying * (decimal)(0.95 + 0.1 * random.NextDouble()), 2)));
            db.Set<CostEntry>().Add(Cost(month, "bandwidth", Products.Platform, null, Math.Round(25m + 3m * paying * (decimal)(0.95 + 0.1 * random.NextDouble()), 2)));
            db.Set<CostEntry>().Add(Cost(month, "compute", Products.Chatbot, null, Math.Round(300m * (decimal)(0.95 + 0.1 * random.NextDouble()), 2)));
        }
    }

    private CostEntry Cost(Month month, string category, string product, string? organizationId, decimal amount)
    {
        var now = clock.GetUtcNow();
        return new CostEntry
        {
            Id = Id.New(IdPrefix.CostEntry, clock),
            Month = month.ToString(),
            Category = category,
            Product = product,
            OrganizationId = organizationId,
            Amount = Math.Round(amount, 2),
            Currency = Currencies.Reporting,
            CreatedAt = now,
            UpdatedAt = now,
        };
    }
}
