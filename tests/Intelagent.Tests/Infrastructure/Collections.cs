// Test classes run in parallel across collections; each class has its own server and database.
[assembly: CollectionBehavior(MaxParallelThreads = 4)]
