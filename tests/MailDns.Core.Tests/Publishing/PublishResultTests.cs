using MailDns.Core.Publishing;

namespace MailDns.Core.Tests.Publishing;

public class PublishResultTests
{
    private static PublishResult Result(int created, int updated, int deleted, int unchanged) =>
        new(created, updated, deleted, unchanged, [], []);

    /// <summary>(because, first publish, later publish, combined) as (created, updated, deleted, unchanged).</summary>
    public static TheoryData<string, int[], int[], int[]> Rules =>
        new()
        {
            {
                "a first run creates SPF and DMARC, then the DKIM records: 5 created, none found unchanged",
                [3, 0, 0, 0],
                [2, 0, 0, 3],
                [5, 0, 0, 0]
            },
            { "a run that changes nothing finds everything unchanged", [0, 0, 0, 5], [0, 0, 0, 5], [0, 0, 0, 5] },
            { "a rotation step adds one key, the rest was there before", [1, 0, 0, 4], [0, 0, 0, 5], [1, 0, 0, 4] },
            { "an update and a delete add up across steps", [0, 1, 0, 4], [0, 0, 1, 4], [0, 1, 1, 3] },
        };

    [Theory]
    [MemberData(nameof(Rules))]
    public void Publishes_of_one_reconcile_add_up_to_what_it_did(string because, int[] first, int[] later, int[] combined)
    {
        var result = Result(first[0], first[1], first[2], first[3]).Then(Result(later[0], later[1], later[2], later[3]));

        Assert.True(
            (combined[0], combined[1], combined[2], combined[3]) == (result.Created, result.Updated, result.Deleted, result.Unchanged),
            $"{because}: {result.Created}/{result.Updated}/{result.Deleted}/{result.Unchanged}"
        );
    }
}
