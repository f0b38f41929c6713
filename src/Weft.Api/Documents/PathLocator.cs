namespace Weft.Api.Documents;

/// <summary>
/// Finds where a field path such as <c>spec.http[0].route[1].weight</c> (map keys as <c>labels[app]</c>) sits in a document.
/// When the path goes past what exists (a missing field), the deepest existing node is used.
/// </summary>
public static class PathLocator
{
    public static SourceLocation Locate(Node root, string path)
    {
        var node = root;
        var location = root.Location;
        var i = 0;
        while (i < path.Length)
        {
            string segment;
            bool indexed;
            if (path[i] == '.')
            {
                i++;
                continue;
            }

            if (path[i] == '[')
            {
                var close = path.IndexOf(']', i);
                if (close < 0)
                {
                    break;
                }

                segment = path[(i + 1)..close];
                indexed = true;
                i = close + 1;
            }
            else
            {
                var end = i;
                while (end < path.Length && path[end] != '.' && path[end] != '[')
                {
                    end++;
                }

                segment = path[i..end];
                indexed = false;
                i = end;
            }

            Node? next = null;
            switch (node)
            {
                case MapNode map when map.Entry(segment) is { } entry:
                    next = entry.Value;
                    location = indexed ? entry.KeyLocation : entry.Value is ScalarNode ? entry.KeyLocation : entry.Value.Location;
                    break;
                case ListNode list when indexed && int.TryParse(segment, out var index) && index >= 0 && index < list.Count:
                    next = list.Items[index];
                    location = next.Location;
                    break;
            }

            if (next is null)
            {
                break;
            }

            node = next;
        }

        return location;
    }
}
