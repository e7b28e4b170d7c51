-- No query looks events up by integration_id (listing, paging, get by id and retention all go by customer), and
-- every index costs each inserted event an index entry and a WAL record: about 6% of the WAL of storing a
-- CloudTrail batch (bench:cloudtrail, docs/PERFORMANCE.md).
DROP INDEX "events_integration_idx";
