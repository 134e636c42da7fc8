namespace MailDns.Core.Spf;

/// <summary>
/// RFC 7208 §7.1 macro-string and domain-spec syntax. Returns null when valid, else what is wrong.
/// </summary>
public static class SpfMacro
{
    private const string MacroLetters = "slodiphcrtv";
    private const string ExpOnlyLetters = "crt";
    private const string Delimiters = ".-+,/_=";

    public static string? CheckMacroString(string text, bool inExplanation = false) => Scan(text, inExplanation, out _);

    /// <summary>domain-spec = macro-string domain-end; domain-end = "." toplabel ["."] / macro-expand.</summary>
    public static string? CheckDomainSpec(string text)
    {
        if (text.Length == 0)
        {
            return "the domain is empty";
        }

        var problem = Scan(text, false, out var endsWithExpand);
        if (problem is not null)
        {
            return problem;
        }

        if (endsWithExpand)
        {
            return null;
        }

        if (!text.Contains('%', StringComparison.Ordinal))
        {
            var name = text.EndsWith('.') ? text[..^1] : text;
            var labels = name.Split('.');
            if (labels.Any(l => l.Length == 0))
            {
                return $"'{text}' has an empty label";
            }

            if (labels.Any(l => l.Length > 63))
            {
                return $"'{text}' has a label longer than 63 octets";
            }

            if (name.Length > 253)
            {
                return $"'{text}' is longer than 253 octets";
            }
        }

        var body = text.EndsWith('.') ? text[..^1] : text;
        var dot = body.LastIndexOf('.');
        if (dot < 0)
        {
            return $"'{text}' is not a fully qualified domain (it needs a dot and a top-level label)";
        }

        var top = body[(dot + 1)..];
        return IsTopLabel(top) ? null : $"'{text}' does not end in a valid top-level label ('{top}' must contain a letter)";
    }

    private static bool IsTopLabel(string label) =>
        label.Length > 0
        && label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')
        && label[0] != '-'
        && label[^1] != '-'
        && (label.Any(char.IsAsciiLetter) || label.Contains('-', StringComparison.Ordinal));

    private static string? Scan(string text, bool inExplanation, out bool endsWithExpand)
    {
        endsWithExpand = false;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '%')
            {
                if (i + 1 >= text.Length)
                {
                    return "a lone '%' (write %% for a literal percent sign)";
                }

                var next = text[i + 1];
                if (next is '%' or '_' or '-')
                {
                    endsWithExpand = false;
                    i += 2;
                    continue;
                }

                if (next != '{')
                {
                    return $"'%{next}' is not a macro (expected %{{, %%, %_ or %-)";
                }

                var close = text.IndexOf('}', i + 2);
                if (close < 0)
                {
                    return "a macro '%{' is not closed";
                }

                var body = text[(i + 2)..close];
                var problem = CheckMacroBody(body, inExplanation);
                if (problem is not null)
                {
                    return problem;
                }

                i = close + 1;
                endsWithExpand = i == text.Length;
                continue;
            }

            // macro-literal = %x21-24 / %x26-7E (visible characters other than '%').
            if (c < 0x21 || c > 0x7E)
            {
                return $"character U+{(int)c:X4} is not allowed here";
            }

            endsWithExpand = false;
            i++;
        }

        return null;
    }

    private static string? CheckMacroBody(string body, bool inExplanation)
    {
        if (body.Length == 0)
        {
            return "an empty macro '%{}'";
        }

        var letter = char.ToLowerInvariant(body[0]);
        if (!MacroLetters.Contains(letter, StringComparison.Ordinal))
        {
            return $"'%{{{body}}}' uses unknown macro letter '{body[0]}'";
        }

        if (!inExplanation && ExpOnlyLetters.Contains(letter, StringComparison.Ordinal))
        {
            return $"macro letter '{body[0]}' is allowed only in exp= explanations";
        }

        var j = 1;
        while (j < body.Length && char.IsAsciiDigit(body[j]))
        {
            j++;
        }

        if (j > 1 && body[1..j].All(c => c == '0'))
        {
            return $"'%{{{body}}}' keeps zero labels: a DIGIT transformer must be nonzero (RFC 7208 §7.3)";
        }

        if (j < body.Length && (body[j] == 'r' || body[j] == 'R'))
        {
            j++;
        }

        for (; j < body.Length; j++)
        {
            if (!Delimiters.Contains(body[j], StringComparison.Ordinal))
            {
                return $"'%{{{body}}}' has an invalid transformer or delimiter '{body[j]}'";
            }
        }

        return null;
    }
}
