// The seeded bugs and the shared pool's depot are process-wide: the models run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
