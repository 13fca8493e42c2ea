using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace ApiTokens;

// R43: the keys of one configuration section and the form of each value, checked before the section
// is bound, so a typo stops the host instead of being ignored. ConfigurationBinder's own
// ErrorOnUnknownConfiguration names neither the nearest key nor the form a value must have, and stops
// at the first problem; this reports every problem of the section at once. The schema is written
// next to each options class (not read by reflection: the packages are trimming- and AOT-safe), and
// a test compares it with the class's properties so the two cannot drift apart.
internal sealed class SettingsSchema
{
    private readonly List<Setting> _settings = [];

    public IReadOnlyList<Setting> Settings => _settings;

    public SettingsSchema Text(string name) => Add(new(name, SettingKind.Text));

    public SettingsSchema Boolean(string name) => Add(new(name, SettingKind.Boolean));

    public SettingsSchema Integer(string name) => Add(new(name, SettingKind.Integer));

    public SettingsSchema Long(string name) => Add(new(name, SettingKind.Long));

    public SettingsSchema Duration(string name, bool optional = false) => Add(new(name, SettingKind.Duration) { Optional = optional });

    public SettingsSchema Choice<TEnum>(string name, bool optional = false)
        where TEnum : struct, Enum
        => Add(new(name, SettingKind.Choice) { Choices = Enum.GetNames<TEnum>(), Optional = optional });

    public SettingsSchema List(string name, Setting element) => Add(new(name, SettingKind.List) { Element = element });

    public SettingsSchema Section(string name, SettingsSchema keys) => Add(new(name, SettingKind.Section) { Keys = keys });

    // Keys chosen by the host (declared scopes): any key, any depth, text values.
    public SettingsSchema Map(string name) => Add(new(name, SettingKind.Map));

    // A subsection another options class binds and checks (ApiTokens:Bootstrap, …).
    public SettingsSchema Elsewhere(string name) => Add(new(name, SettingKind.Elsewhere));

    // Throws OptionsValidationException listing every problem of the section (none: returns).
    public void ThrowIfInvalid<TOptions>(IConfigurationSection section)
    {
        var failures = new List<string>();
        Check(section, failures);
        if (failures.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(TOptions), failures);
        }
    }

    public void Check(IConfigurationSection section, List<string> failures)
    {
        foreach (var child in section.GetChildren())
        {
            var setting = Find(child.Key);
            if (setting is null)
            {
                failures.Add(Unknown(section.Path, child.Key));
            }
            else
            {
                setting.Check(child, failures);
            }
        }
    }

    private Setting? Find(string key)
    {
        foreach (var setting in _settings)
        {
            if (string.Equals(setting.Name, key, StringComparison.OrdinalIgnoreCase))
            {
                return setting;
            }
        }

        return null;
    }

    private string Unknown(string path, string key)
    {
        Setting? nearest = null;
        var best = int.MaxValue;
        foreach (var setting in _settings)
        {
            var distance = Distance(key.ToUpperInvariant(), setting.Name.ToUpperInvariant());
            if (distance < best)
            {
                (best, nearest) = (distance, setting);
            }
        }

        // A near miss is a typo; anything farther is listed with every key the section has.
        return nearest is not null && best <= Math.Max(2, nearest.Name.Length / 3)
            ? $"{path}:{key} is not a setting of {path}; did you mean {path}:{nearest.Name}?"
            : $"{path}:{key} is not a setting of {path}; its settings are {string.Join(", ", _settings.Select(static s => s.Name))}.";
    }

    // Levenshtein distance between two short keys.
    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    private SettingsSchema Add(Setting setting)
    {
        _settings.Add(setting);
        return this;
    }
}

internal enum SettingKind
{
    Text,
    Boolean,
    Integer,
    Long,
    Duration,
    Choice,
    List,
    Section,
    Map,
    Elsewhere,
}

internal sealed record Setting(string Name, SettingKind Kind)
{
    public bool Optional { get; init; }

    public string[]? Choices { get; init; }

    public Setting? Element { get; init; }

    public SettingsSchema? Keys { get; init; }

    public static Setting Item(SettingKind kind) => new("item", kind);

    public static Setting ItemSection(SettingsSchema keys) => new("item", SettingKind.Section) { Keys = keys };

    public void Check(IConfigurationSection section, List<string> failures)
    {
        var path = section.Path;
        var hasChildren = section.GetChildren().Any();
        switch (Kind)
        {
            case SettingKind.Elsewhere or SettingKind.Map:
                return;
            case SettingKind.Section:
                if (!hasChildren && !string.IsNullOrEmpty(section.Value))
                {
                    failures.Add($"{path} is a section with the settings {string.Join(", ", Keys!.Settings.Select(static s => s.Name))}; it takes no value of its own (it was '{section.Value}').");
                }

                Keys!.Check(section, failures);
                return;
            case SettingKind.List:
                if (!hasChildren && !string.IsNullOrEmpty(section.Value))
                {
                    failures.Add($"{path} is a list: give its items as {path}:0, {path}:1, … (an array in JSON), not one value ('{section.Value}').");
                }

                foreach (var item in section.GetChildren())
                {
                    if (!int.TryParse(item.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                    {
                        failures.Add($"{item.Path}: {path} is a list, whose items are {path}:0, {path}:1, … (an array in JSON), so '{item.Key}' is not one of them.");
                    }
                    else
                    {
                        Element!.Check(item, failures);
                    }
                }

                return;
        }

        if (hasChildren)
        {
            failures.Add($"{path} is one value ({Form}), not a section; {string.Join(", ", section.GetChildren().Select(static c => c.Path))} is not a setting.");
            return;
        }

        if (section.Value is not { } value || Kind == SettingKind.Text)
        {
            return;
        }

        if (value.Length == 0)
        {
            if (!Optional)
            {
                failures.Add($"{path} is empty; it needs {Form}.");
            }

            return;
        }

        if (!Converts(value))
        {
            failures.Add(Kind == SettingKind.Choice
                ? $"{path} is '{value}', which is not one of {string.Join(", ", Choices!)}."
                : $"{path} is '{value}', which is not {Form}.");
        }
    }

    private string Form => Kind switch
    {
        SettingKind.Boolean => "true or false",
        SettingKind.Integer or SettingKind.Long => "a whole number, such as 100",
        SettingKind.Duration => "a duration written [d.]hh:mm:ss, such as 00:00:30 for 30 seconds or 7.00:00:00 for 7 days",
        SettingKind.Choice => $"one of {string.Join(", ", Choices!)}",
        _ => "text",
    };

    private bool Converts(string value) => Kind switch
    {
        SettingKind.Boolean => bool.TryParse(value, out _),
        SettingKind.Integer => long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) && number is >= int.MinValue and <= int.MaxValue,
        SettingKind.Long => long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
        SettingKind.Duration => TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out _),

        // Names only: the binder would take "1" too, which is never what a reader of the file means.
        SettingKind.Choice => Array.Exists(Choices!, c => string.Equals(c, value.Trim(), StringComparison.OrdinalIgnoreCase)),
        _ => true,
    };
}

// R43's range messages: the value as it was read, and the range in the same form.
internal static class SettingRanges
{
    // "CacheLifetime is 30.00:00:00 (30 days); it must be between 00:00:00 and 01:00:00, e.g. 00:00:30."
    public static string Duration(string name, TimeSpan value, TimeSpan min, TimeSpan max, TimeSpan example, string? otherwise = null, bool aboveMin = false)
        => aboveMin
            ? $"{name} is {Format(value)} ({Describe(value)}); it must be more than {Format(min)} and at most {Format(max)}{(otherwise is null ? "" : $", {otherwise}")}, e.g. {Format(example)}."
            : $"{name} is {Format(value)} ({Describe(value)}); it must be between {Format(min)} and {Format(max)}{(otherwise is null ? "" : $", {otherwise}")}, e.g. {Format(example)}.";

    public static string Number(string name, long value, long min, long max, string? otherwise = null)
        => string.Create(CultureInfo.InvariantCulture, $"{name} is {value}; it must be between {min} and {max}{(otherwise is null ? "" : $", {otherwise}")}.");

    public static bool Within(TimeSpan value, TimeSpan min, TimeSpan max) => value >= min && value <= max;

    public static string Format(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);

    // In words, in the largest unit the value is whole in: 30 days, 2 hours, 90 seconds, 250 milliseconds.
    public static string Describe(TimeSpan value)
    {
        if (value == TimeSpan.Zero)
        {
            return "zero";
        }

        var sign = value < TimeSpan.Zero ? "minus " : "";
        var v = value.Duration();
        return sign + (v.Ticks % TimeSpan.TicksPerDay == 0 ? Unit(v.Ticks / TimeSpan.TicksPerDay, "day")
            : v.Ticks % TimeSpan.TicksPerHour == 0 ? Unit(v.Ticks / TimeSpan.TicksPerHour, "hour")
            : v.Ticks % TimeSpan.TicksPerMinute == 0 ? Unit(v.Ticks / TimeSpan.TicksPerMinute, "minute")
            : v.Ticks % TimeSpan.TicksPerSecond == 0 ? Unit(v.Ticks / TimeSpan.TicksPerSecond, "second")
            : v.Ticks % TimeSpan.TicksPerMillisecond == 0 ? Unit(v.Ticks / TimeSpan.TicksPerMillisecond, "millisecond")
            : Unit(v.Ticks, "tick"));
    }

    private static string Unit(long count, string unit)
        => string.Create(CultureInfo.InvariantCulture, $"{count:N0} {unit}{(count == 1 ? "" : "s")}");
}
