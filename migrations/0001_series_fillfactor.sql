-- Every collection run moves series.last_point_ms forward for each series it writes (one row per series per
-- run). With full pages those updates cannot stay on the page (HOT): each one writes a new heap tuple plus an
-- entry in all four series indexes. Half-full pages keep them HOT: about 40% less PostgreSQL CPU per run
-- (bench:scheduler, docs/PERFORMANCE.md). Applies to pages written from now on.
ALTER TABLE "series" SET (fillfactor = 50);
