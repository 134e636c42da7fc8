using MailDns.Core.Reports;

namespace MailDns.Operator.Reports;

/// <summary>
/// A read-only stream that refuses to yield more than a limit: what stands between a 10 kB gzip and the 10 GB it
/// unpacks to (a decompression bomb) and the memory of the process.
/// </summary>
public sealed class LimitedStream(Stream inner, long limit) : Stream
{
    private long read;

    public override int Read(byte[] buffer, int offset, int count)
    {
        var n = inner.Read(buffer, offset, count);
        read += n;
        return read > limit ? throw new ReportFormatException($"more than {limit:N0} bytes once uncompressed: over the size limit") : n;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => read;
        set => throw new NotSupportedException();
    }

    public override void Flush() { }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}

/// <summary>A stream whose first bytes were read to tell its format, and are given back before the rest.</summary>
public sealed class PeekedStream : Stream
{
    private readonly Stream inner;
    private readonly byte[] head;
    private int at;

    private PeekedStream(Stream inner, byte[] head)
    {
        this.inner = inner;
        this.head = head;
    }

    public ReadOnlySpan<byte> Head => head;

    public static PeekedStream Of(Stream inner, int bytes = 8)
    {
        var head = new byte[bytes];
        var n = 0;
        while (n < bytes && inner.Read(head, n, bytes - n) is var got and > 0)
        {
            n += got;
        }

        return new PeekedStream(inner, head[..n]);
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (at < head.Length)
        {
            var n = Math.Min(count, head.Length - at);
            Array.Copy(head, at, buffer, offset, n);
            at += n;
            return n;
        }

        return inner.Read(buffer, offset, count);
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Flush() { }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
