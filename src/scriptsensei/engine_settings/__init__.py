"""Engine settings an admin changes on the Settings page, applied over the environment's
declarations in every web and worker process."""
