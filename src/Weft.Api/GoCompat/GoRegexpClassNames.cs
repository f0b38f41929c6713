namespace Weft.Api.GoCompat;

/// <summary>The class names Go's parser knows: POSIX classes, Unicode general categories (with their aliases) and scripts.</summary>
internal static class GoRegexpClassNames
{
    private static readonly HashSet<string> Posix = new(StringComparer.Ordinal)
    {
        "[:alnum:]", "[:alpha:]", "[:ascii:]", "[:blank:]", "[:cntrl:]", "[:digit:]", "[:graph:]",
        "[:lower:]", "[:print:]", "[:punct:]", "[:space:]", "[:upper:]", "[:word:]", "[:xdigit:]",
        "[:^alnum:]", "[:^alpha:]", "[:^ascii:]", "[:^blank:]", "[:^cntrl:]", "[:^digit:]", "[:^graph:]",
        "[:^lower:]", "[:^print:]", "[:^punct:]", "[:^space:]", "[:^upper:]", "[:^word:]", "[:^xdigit:]",
    };

    // General categories (with Go's Cn and LC), their Unicode aliases, the special names, and the scripts of
    // Unicode 15 as Go's tables name them. Go looks names up loosely (case, '_', '-' and ' ' ignored).
    private static readonly string[] Names =
    [
        "Any", "Assigned", "ASCII",
        "C", "Cc", "Cf", "Cn", "Co", "Cs", "L", "LC", "Ll", "Lm", "Lo", "Lt", "Lu", "M", "Mc", "Me", "Mn",
        "N", "Nd", "Nl", "No", "P", "Pc", "Pd", "Pe", "Pf", "Pi", "Po", "Ps", "S", "Sc", "Sk", "Sm", "So",
        "Z", "Zl", "Zp", "Zs",
        "Other", "Control", "cntrl", "Format", "Unassigned", "Private_Use", "Surrogate", "Letter", "Cased_Letter",
        "Lowercase_Letter", "Modifier_Letter", "Other_Letter", "Titlecase_Letter", "Uppercase_Letter", "Mark",
        "Combining_Mark", "Spacing_Mark", "Enclosing_Mark", "Nonspacing_Mark", "Number", "Decimal_Number", "digit",
        "Letter_Number", "Other_Number", "Punctuation", "punct", "Connector_Punctuation", "Dash_Punctuation",
        "Close_Punctuation", "Final_Punctuation", "Initial_Punctuation", "Other_Punctuation", "Open_Punctuation",
        "Symbol", "Currency_Symbol", "Modifier_Symbol", "Math_Symbol", "Other_Symbol", "Separator",
        "Line_Separator", "Paragraph_Separator", "Space_Separator",
        "Adlam", "Ahom", "Anatolian_Hieroglyphs", "Arabic", "Armenian", "Avestan", "Balinese", "Bamum", "Bassa_Vah",
        "Batak", "Bengali", "Bhaiksuki", "Bopomofo", "Brahmi", "Braille", "Buginese", "Buhid", "Canadian_Aboriginal",
        "Carian", "Caucasian_Albanian", "Chakma", "Cham", "Cherokee", "Chorasmian", "Common", "Coptic", "Cuneiform",
        "Cypriot", "Cypro_Minoan", "Cyrillic", "Deseret", "Devanagari", "Dives_Akuru", "Dogra", "Duployan",
        "Egyptian_Hieroglyphs", "Elbasan", "Elymaic", "Ethiopic", "Georgian", "Glagolitic", "Gothic", "Grantha",
        "Greek", "Gujarati", "Gunjala_Gondi", "Gurmukhi", "Han", "Hangul", "Hanifi_Rohingya", "Hanunoo", "Hatran",
        "Hebrew", "Hiragana", "Imperial_Aramaic", "Inherited", "Inscriptional_Pahlavi", "Inscriptional_Parthian",
        "Javanese", "Kaithi", "Kannada", "Katakana", "Kawi", "Kayah_Li", "Kharoshthi", "Khitan_Small_Script", "Khmer",
        "Khojki", "Khudawadi", "Lao", "Latin", "Lepcha", "Limbu", "Linear_A", "Linear_B", "Lisu", "Lycian", "Lydian",
        "Mahajani", "Makasar", "Malayalam", "Mandaic", "Manichaean", "Marchen", "Masaram_Gondi", "Medefaidrin",
        "Meetei_Mayek", "Mende_Kikakui", "Meroitic_Cursive", "Meroitic_Hieroglyphs", "Miao", "Modi", "Mongolian",
        "Mro", "Multani", "Myanmar", "Nabataean", "Nag_Mundari", "Nandinagari", "New_Tai_Lue", "Newa", "Nko",
        "Nushu", "Nyiakeng_Puachue_Hmong", "Ogham", "Ol_Chiki", "Old_Hungarian", "Old_Italic", "Old_North_Arabian",
        "Old_Permic", "Old_Persian", "Old_Sogdian", "Old_South_Arabian", "Old_Turkic", "Old_Uyghur", "Oriya", "Osage",
        "Osmanya", "Pahawh_Hmong", "Palmyrene", "Pau_Cin_Hau", "Phags_Pa", "Phoenician", "Psalter_Pahlavi", "Rejang",
        "Runic", "Samaritan", "Saurashtra", "Sharada", "Shavian", "Siddham", "SignWriting", "Sinhala", "Sogdian",
        "Sora_Sompeng", "Soyombo", "Sundanese", "Syloti_Nagri", "Syriac", "Tagalog", "Tagbanwa", "Tai_Le", "Tai_Tham",
        "Tai_Viet", "Takri", "Tamil", "Tangsa", "Tangut", "Telugu", "Thaana", "Thai", "Tibetan", "Tifinagh",
        "Tirhuta", "Toto", "Ugaritic", "Vai", "Vithkuqi", "Wancho", "Warang_Citi", "Yezidi", "Yi", "Zanabazar_Square",
    ];

    private static readonly HashSet<string> Canonical = BuildCanonical();

    public static bool IsPosixClass(string name) => Posix.Contains(name);

    public static bool IsKnown(string name) => Canonical.Contains(CanonicalName(name));

    private static HashSet<string> BuildCanonical()
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in Names)
        {
            set.Add(CanonicalName(name));
        }

        return set;
    }

    // Go's canonicalName: separators dropped, the first letter upper case, the rest lower case (ASCII only).
    private static string CanonicalName(string name)
    {
        var chars = new char[name.Length];
        var n = 0;
        var first = true;
        foreach (var c in name)
        {
            if (c is '_' or '-' or ' ')
            {
                continue;
            }

            if (first)
            {
                chars[n++] = c is >= 'a' and <= 'z' ? (char)(c - 32) : c;
                first = false;
            }
            else
            {
                chars[n++] = c is >= 'A' and <= 'Z' ? (char)(c + 32) : c;
            }
        }

        return new string(chars, 0, n);
    }
}
