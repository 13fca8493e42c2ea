// Each test starts its own sample on a free port; the browser tests share one Chromium and run in order.
[assembly: Parallelize(Scope = ExecutionScope.ClassLevel, Workers = 2)]
