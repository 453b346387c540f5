from .face_overlays import (contact_sheet, crop_to_box, draw_face, face_nme,
                            label_tile)

__all__ = ['contact_sheet', 'crop_to_box', 'draw_face', 'face_nme',
           'label_tile']
