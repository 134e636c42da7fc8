using System.Runtime.InteropServices;

namespace MailDns.Operator.Hosting;

/// <summary>
/// The C library's heap, under the managed one: what the runtime, OpenSSL, SQLite and the JIT allocate. glibc hands
/// freed memory back to the system by itself only from the top of a heap, and keeps what was freed below a block still
/// in use: after the first burst of a large fleet (10,000 domains) 3.4 MB of it stayed resident in the idle operator
/// (returned by one malloc_trim through a debugger: 141.2 -> 137.8 MB).
/// </summary>
public static partial class NativeHeap
{
    /// <summary>
    /// Returns the C library's free memory to the system (glibc's malloc_trim); true when some was returned. False where
    /// there is no such call (musl), so the operator runs on any Linux C library.
    /// </summary>
    public static bool Trim()
    {
        try
        {
            return MallocTrim(0) == 1;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);
}
