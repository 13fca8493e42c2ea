namespace ApiTokens.Auditing;

/// <summary>A page of audit records, newest first.</summary>
/// <param name="Records">The records.</param>
/// <param name="NextBefore">The <see cref="ApiTokenAuditRecord.Sequence"/> to pass as <c>before</c> for the next (older) page; <see langword="null"/> on the last page.</param>
public sealed record ApiTokenAuditPage(IReadOnlyList<ApiTokenAuditRecord> Records, long? NextBefore);
