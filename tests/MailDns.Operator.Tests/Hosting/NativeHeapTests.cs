using System.Runtime.InteropServices;
using MailDns.Operator.Hosting;

namespace MailDns.Operator.Tests.Hosting;

public class NativeHeapTests
{
    [Fact]
    public void Memory_the_c_library_freed_below_a_block_still_in_use_is_returned_to_the_system()
    {
        // 16 MB in 1 KB blocks (under glibc's mmap threshold, so they come from its heap), then all freed but the
        // last: the block on top keeps glibc from giving the rest back by itself, as a long-lived allocation would.
        var blocks = Enumerable.Range(0, 16 * 1024).Select(_ => Marshal.AllocHGlobal(1024)).ToList();
        foreach (var block in blocks.SkipLast(1))
        {
            Marshal.FreeHGlobal(block);
        }

        try
        {
            Assert.True(NativeHeap.Trim());
        }
        finally
        {
            Marshal.FreeHGlobal(blocks[^1]);
        }
    }
}
