using MailDns.Core.Api;

namespace MailDns.Core.MtaSts;

/// <summary>What a deleted domain's MTA-STS needs next before its records may go (RFC 8461 §8.3).</summary>
public abstract record WithdrawalStep(string Message)
{
    /// <summary>Serve this mode-none policy (write it into status.mtaSts, where every listener serves it from).</summary>
    public sealed record Serve(MtaStsStatus Status, string Message) : WithdrawalStep(Message);

    /// <summary>The none policy is served: move the _mta-sts record to its id.</summary>
    public sealed record Publish(string Id, string Message) : WithdrawalStep(Message);

    /// <summary>
    /// Nothing to do before <paramref name="Until"/>: the policy URL does not serve the none policy yet, or senders may
    /// still hold the old one.
    /// </summary>
    public sealed record Wait(DateTimeOffset Until, string Message) : WithdrawalStep(Message);

    /// <summary>Senders no longer hold a policy that names this domain's MX: the records and the policy may go.</summary>
    public sealed record Done(string Message) : WithdrawalStep(Message);
}

/// <summary>
/// Removing a managed MTA-STS policy as RFC 8461 §8.3 advises, as a pure function of status.mtaSts, what the policy URL
/// serves and the time: first serve a policy of mode none with a short max_age, then publish its id, then keep both until
/// every sender has let the old policy expire (its max_age after the none id went out); only then may the _mta-sts record
/// and the policy go. Deleting them at once would leave senders enforcing a cached policy against MX hosts that may
/// change, with no id to tell them otherwise. A domain that never published an id, or whose published policy already
/// has mode none, has nothing to withdraw.
/// </summary>
public static class MtaStsWithdrawal
{
    /// <summary>RFC 8461 §8.3's example max_age for the withdrawing policy: one day.</summary>
    public const long NoneMaxAge = 86_400;

    /// <param name="status">status.mtaSts as it is.</param>
    /// <param name="served">What the policy URL serves now, or null when not read.</param>
    /// <param name="now">The time.</param>
    /// <param name="retry">How soon to look again while the none policy is not served yet (the policy pass interval).</param>
    public static WithdrawalStep Next(MtaStsStatus? status, string? served, DateTimeOffset now, TimeSpan retry)
    {
        if (status?.PublishedId is not { } publishedId)
        {
            return new WithdrawalStep.Done("no _mta-sts id was ever published: no sender holds the policy");
        }

        if (status.Withdrawal is null)
        {
            if (status.Mode == MtaStsMode.None && status.Current)
            {
                return new WithdrawalStep.Done("the published policy already has mode none");
            }

            var none = MtaStsPolicy.For(MtaStsMode.None, status.Mx ?? [], TimeSpan.FromSeconds(NoneMaxAge));
            var text = none.Render();
            return new WithdrawalStep.Serve(
                new MtaStsStatus
                {
                    Mode = none.Mode,
                    Mx = none.Mx.ToList(),
                    MaxAge = none.MaxAgeSeconds,
                    Policy = text,
                    PolicyId = MtaStsPolicy.IdOf(text),
                    PublishedId = publishedId,
                    Current = false,
                    Reason = MtaStsReasons.Withdrawing,
                    Message =
                        $"serving a mode none policy before the _mta-sts record goes (RFC 8461 §8.3); the record keeps id {publishedId}",
                    Withdrawal = new MtaStsWithdrawalStatus { HeldFor = status.MaxAge ?? MtaStsPolicy.MaxMaxAge },
                },
                $"the domain is being deleted: serving a mode none policy first (RFC 8461 §8.3)"
            );
        }

        var noneId = status.PolicyId ?? "";
        if (publishedId != noneId)
        {
            return served == status.Policy
                ? new WithdrawalStep.Publish(noneId, $"the mode none policy {noneId} is served; publishing its id")
                : new WithdrawalStep.Wait(now + retry, $"waiting for the policy URL to serve the mode none policy {noneId}");
        }

        var until = (status.Withdrawal.PublishedAt ?? now) + TimeSpan.FromSeconds(status.Withdrawal.HeldFor);
        return now < until
            ? new WithdrawalStep.Wait(
                until,
                $"senders may hold the previous policy for its max_age ({status.Withdrawal.HeldFor} s) after the none id went out: "
                    + $"the _mta-sts record and the policy stay until {until:u} (RFC 8461 §8.3)"
            )
            : new WithdrawalStep.Done("the previous policy has expired at every sender");
    }
}
