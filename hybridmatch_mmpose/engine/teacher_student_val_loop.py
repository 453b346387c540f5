"""Validation of the teacher and the student side by side."""
from mmengine.model import is_model_wrapper
from mmengine.runner import ValLoop

from mmpose.registry import LOOPS


@LOOPS.register_module()
class TeacherStudentValLoop(ValLoop):
    """MMDetection's ``TeacherStudentValLoop``, for semi-supervised pose
    models: each validation evaluates the predicting model first (the
    teacher, ``semi_test_cfg.predict_on``) and then the other one, so the
    log shows what the EMA adds.

    The predicting model's metrics keep their plain keys (``NME``,
    ``full/NME``, ...), which ``save_best`` and MMPose's tools read; the
    other model's get its name as a prefix (``student/NME``).
    MMDetection's loop prefixes both. A model without a teacher (a
    supervised config that inherits this loop) is validated once, as by
    mmengine's ``ValLoop``.

    Args:
        runner, dataloader, evaluator, fp16: As mmengine's ``ValLoop``.
    """

    def run(self) -> dict:
        """Validate; returns the metrics logged (both models')."""
        model = self.runner.model
        if is_model_wrapper(model):
            model = model.module
        if not (hasattr(model, 'teacher') and hasattr(model, 'student')
                and hasattr(model, 'semi_test_cfg')):
            return super().run()
        self.runner.call_hook('before_val')
        self.runner.call_hook('before_val_epoch')
        self.runner.model.eval()
        predict_on = model.semi_test_cfg.get('predict_on', 'teacher')
        other = 'student' if predict_on == 'teacher' else 'teacher'
        metrics = dict()
        try:
            for on, prefix in ((predict_on, ''), (other, f'{other}/')):
                model.semi_test_cfg['predict_on'] = on
                for idx, data_batch in enumerate(self.dataloader):
                    self.run_iter(idx, data_batch)
                found = self.evaluator.evaluate(len(self.dataloader.dataset))
                metrics.update({prefix + k: v for k, v in found.items()})
        finally:
            model.semi_test_cfg['predict_on'] = predict_on
        self.runner.call_hook('after_val_epoch', metrics=metrics)
        self.runner.call_hook('after_val')
        return metrics
