from . import hooks  # noqa: F401
from .checkpoint import (CorruptCheckpointError,  # noqa: F401
                         UnsafeCheckpointError, register_safe_globals,
                         register_safe_loading_and_saving,
                         remove_stale_temporaries)
from .checkpoint_fit import (CheckpointMismatchError,  # noqa: F401
                             check_state_dict_fits, checkpoint_state_dict)
from .runner import GuardedRunner, ResumeMismatchError  # noqa: F401
from .teacher_student_val_loop import TeacherStudentValLoop  # noqa: F401
from .hooks import *  # noqa: F401,F403

register_safe_globals()
register_safe_loading_and_saving()
