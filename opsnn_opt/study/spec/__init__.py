"""Pure specs of a study: search space, objective, replicates, samplers and pruners, read and checked."""
