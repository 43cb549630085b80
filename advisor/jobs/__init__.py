"""Fine-tuning jobs: the durable store, the local trainer and its worker process."""
