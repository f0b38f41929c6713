using Weft.Proxy.Hosting;

namespace Weft.Proxy.Tests.Hosting;

public sealed class StartupPagesTests
{
    private const string Binary = "/opt/weft/artifacts/weft-proxy/weft";

    [Theory]
    [InlineData("55d263800000-55d264a00000 r-xp 00400000 fd:01 1234 " + Binary, 0x55d263800000UL, 0x1200000L, Binary)]
    [InlineData("55d263400000-55d263800000 r--p 00000000 fd:01 1234 " + Binary, 0x55d263400000UL, 0x400000L, Binary)]
    [InlineData("7f1239c00000-7f123a001000 r-xp 00000000 fd:01 99    /usr/lib/x86_64-linux-gnu/libcrypto.so.3", 0x7f1239c00000UL, 0x401000L, "/usr/lib/x86_64-linux-gnu/libcrypto.so.3")]
    public void A_read_only_file_mapping_is_given_back(string line, ulong start, long length, string path) =>
        Assert.Equal((start, length, path), StartupPages.ReadOnlyFileMapping(line));

    [Theory]
    [InlineData("55d265726000-55d265d1c000 rw-p 01e00000 fd:01 1234 " + Binary)]
    [InlineData("7f1239c00000-7f123a001000 rw-p 00000000 00:00 0 ")]
    [InlineData("7f1239c00000-7f123a001000 r--p 00000000 00:00 0 ")]
    [InlineData("7ffc1a2b3000-7ffc1a2d4000 rw-p 00000000 00:00 0                          [stack]")]
    [InlineData("7ffc1a2b3000-7ffc1a2d4000 r-xp 00000000 00:00 0                          [vdso]")]
    [InlineData("7f0d2c000000-7f0d2c100000 r-xs 00000000 00:01 4097                       /memfd:doublemapper (deleted)")]
    [InlineData("7f0d2c000000-7f0d2c100000 r--s 00000000 00:17 12                         /dev/shm/weft")]
    [InlineData("Rss:                 120 kB")]
    [InlineData("not a mapping")]
    public void Writable_data_anonymous_memory_and_shared_memory_are_left_alone(string line) =>
        Assert.Null(StartupPages.ReadOnlyFileMapping(line));

    [SkippableFact]
    public void This_process_can_advise_its_own_file_mappings()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "SKIPPED: /proc/self/maps and madvise are Linux's");
        Assert.Contains(File.ReadLines("/proc/self/maps"), l => StartupPages.ReadOnlyFileMapping(l)?.Path == Environment.ProcessPath);
        Assert.True(StartupPages.Release() > 0);
    }
}
